/// The operations on client networks (`/network`).
extension OperationSpec {
  /// The settings of a network, shared by adding and changing one.
  static let networkSettings: [OperationParameter] = [
    .integer("mtu", 0...NetworkRules.mtus.upperBound, "The MTU of the network (0 or absent: the default)"),
    .string("domain", "The DNS domain of a managed network"),
    .string(
      "name_servers", repeated: true, "A DNS server for the network's clients (repeatable; commas also separate)"),
    .string("ip4_network", "The IPv4 network of a managed network, in CIDR form"),
    .string("ip4_gateway", "The IPv4 gateway address (PVC's, on the primary)"),
    .boolean("dhcp4", "Serve DHCPv4 on the network"),
    .string("dhcp4_start", "The first address of the DHCPv4 range"),
    .string("dhcp4_end", "The last address of the DHCPv4 range"),
    .string("ip6_network", "The IPv6 network of a managed network, in CIDR form"),
    .string("ip6_gateway", "The IPv6 gateway address (PVC's, on the primary)"),
  ]

  /// What a new network needs besides its settings.
  static let networkIdentity: [OperationParameter] = [
    .string("description", required: true, "What the network is for (unique)"),
    .choice("nettype", NetworkType.allCases.map(\.rawValue), required: true, "managed (VXLAN) or bridged (VLAN)"),
  ]

  /// The networks (404 when none match)
  public static let networkList = OperationSpec(
    "network.list", .get, "/network", summary: "The networks (404 when none match)",
    parameters: [.string("limit", "A VNI or description pattern, fuzzy unless anchored with ^ or $")],
    responses: [200: "array:network", 404: "Message"])

  /// Add a network
  public static let networkAdd = OperationSpec(
    "network.add", .post, "/network", summary: "Add a network",
    parameters: [.integer("vni", NetworkRules.managedVNIs, required: true, "The network's VNI (VLAN ID if bridged)")]
      + networkIdentity + networkSettings,
    responses: [200: "Message", 400: "Message"])

  /// Add network {vni}
  public static let networkAddNamed = OperationSpec(
    "network.add-named", .post, "/network/{vni}", summary: "Add network {vni}",
    parameters: networkIdentity + networkSettings, responses: [200: "Message", 400: "Message"])

  /// One network (as a one-element list)
  public static let networkInfo = OperationSpec(
    "network.info", .get, "/network/{vni}", summary: "One network (as a one-element list)",
    responses: [200: "array:network", 404: "Message"])

  /// Change a network
  public static let networkModify = OperationSpec(
    "network.modify", .put, "/network/{vni}", summary: "Change a network",
    parameters: [.string("description", "What the network is for (unique)")] + networkSettings,
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// Remove a network (refused while a VM uses it)
  public static let networkRemove = OperationSpec(
    "network.remove", .delete, "/network/{vni}", summary: "Remove a network (refused while a VM uses it)",
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// A network's DHCP leases and reservations (404 when none match)
  public static let networkLeaseList = OperationSpec(
    "network.lease-list", .get, "/network/{vni}/lease",
    summary: "A network's DHCP leases and reservations (404 when none match)",
    parameters: [
      .string("limit", "A MAC address, address or host name pattern, fuzzy unless anchored"),
      .boolean("static", "Only static reservations"),
    ],
    responses: [200: "array:lease", 404: "Message"])

  /// Reserve an address for a MAC address
  public static let networkLeaseAdd = OperationSpec(
    "network.lease-add", .post, "/network/{vni}/lease", summary: "Reserve an address for a MAC address",
    parameters: [
      .string("macaddress", required: true, "The MAC address of the client"),
      .string("ipaddress", required: true, "The IPv4 address to give it, inside the network"),
      .string("hostname", required: true, "Its host name in the network's domain"),
    ],
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// Reserve an address for MAC address {mac}
  public static let networkLeaseAddNamed = OperationSpec(
    "network.lease-add-named", .post, "/network/{vni}/lease/{mac}", summary: "Reserve an address for MAC address {mac}",
    parameters: [
      .string("ipaddress", required: true, "The IPv4 address to give it, inside the network"),
      .string("hostname", required: true, "Its host name in the network's domain"),
    ],
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// The lease or reservation of MAC address {mac} (as a one-element list)
  public static let networkLeaseInfo = OperationSpec(
    "network.lease-info", .get, "/network/{vni}/lease/{mac}",
    summary: "The lease or reservation of MAC address {mac} (as a one-element list)",
    responses: [200: "array:lease", 404: "Message"])

  /// Remove the reservation of MAC address {mac}
  public static let networkLeaseRemove = OperationSpec(
    "network.lease-remove", .delete, "/network/{vni}/lease/{mac}",
    summary: "Remove the reservation of MAC address {mac}",
    responses: [200: "Message", 404: "Message"])

  /// What an ACL takes besides its description.
  static let aclSettings: [OperationParameter] = [
    .choice(
      "direction", Layout.RuleDirection.allCases.map(\.rawValue), "in (to the network's VMs) or out (default in)"),
    .integer("order", 1...100_000, "Its place in the chain, from 1 (default: last)"),
    .text("rule", required: true, "The rule, in the subset of nftables' language PVCKit accepts"),
  ]

  /// A network's firewall rules (404 when none match)
  public static let networkACLList = OperationSpec(
    "network.acl-list", .get, "/network/{vni}/acl", summary: "A network's firewall rules (404 when none match)",
    parameters: [
      .string("limit", "A description pattern, fuzzy unless anchored"),
      .choice("direction", Layout.RuleDirection.allCases.map(\.rawValue), "Only rules in this direction"),
    ],
    responses: [200: "array:acl", 400: "Message", 404: "Message"])

  /// Add a firewall rule to a network
  public static let networkACLAdd = OperationSpec(
    "network.acl-add", .post, "/network/{vni}/acl", summary: "Add a firewall rule to a network",
    parameters: [.string("description", required: true, "The rule's name (unique in the network)")] + aclSettings,
    responses: [200: "Message", 400: "Message"])

  /// Add firewall rule {description} to a network
  public static let networkACLAddNamed = OperationSpec(
    "network.acl-add-named", .post, "/network/{vni}/acl/{description}",
    summary: "Add firewall rule {description} to a network", parameters: aclSettings,
    responses: [200: "Message", 400: "Message"])

  /// Firewall rule {description} (as a one-element list)
  public static let networkACLInfo = OperationSpec(
    "network.acl-info", .get, "/network/{vni}/acl/{description}",
    summary: "Firewall rule {description} (as a one-element list)", responses: [200: "array:acl", 404: "Message"])

  /// Remove firewall rule {description}
  public static let networkACLRemove = OperationSpec(
    "network.acl-remove", .delete, "/network/{vni}/acl/{description}", summary: "Remove firewall rule {description}",
    responses: [200: "Message", 404: "Message"])

  /// The SR-IOV PFs of node {node}
  public static let sriovPFList = OperationSpec(
    "sriov.pf-list", .get, "/sriov/pf/{node}", summary: "The SR-IOV PFs of node {node}",
    responses: [200: "array:sriov_pf", 404: "Message"])

  /// The SR-IOV VFs of node {node}
  public static let sriovVFList = OperationSpec(
    "sriov.vf-list", .get, "/sriov/vf/{node}", summary: "The SR-IOV VFs of node {node}",
    parameters: [.string("pf", "Only the VFs of this PF")], responses: [200: "array:sriov_vf", 404: "Message"])

  /// SR-IOV VF {vf} of node {node} (as a one-element list)
  public static let sriovVFInfo = OperationSpec(
    "sriov.vf-info", .get, "/sriov/vf/{node}/{vf}", summary: "SR-IOV VF {vf} of node {node} (as a one-element list)",
    responses: [200: "array:sriov_vf", 404: "Message"])

  /// Change the settings of SR-IOV VF {vf} of node {node}
  public static let sriovVFSet = OperationSpec(
    "sriov.vf-set", .put, "/sriov/vf/{node}/{vf}", summary: "Change the settings of SR-IOV VF {vf} of node {node}",
    parameters: [
      .integer("vlan_id", 0...4094, "The VLAN the VF's traffic is tagged with (0: none)"),
      .integer("vlan_qos", 0...7, "The priority of the VLAN tag"),
      .integer("tx_rate_min", 0...1_000_000, "The least TX rate, in Mbit/s (0: none)"),
      .integer("tx_rate_max", 0...1_000_000, "The highest TX rate, in Mbit/s (0: none)"),
      .choice("link_state", SRIOVVirtualFunctionChange.linkStates, "The VF's link: auto, enable or disable"),
      .boolean("spoof_check", "Drop frames whose source MAC is not the VF's"),
      .boolean("trust", "Let the guest change the VF's MAC and enter promiscuous mode"),
      .boolean("query_rss", "Let the guest query the VF's RSS settings"),
    ],
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// Every operation of this area.
  static let networkOperations: [OperationSpec] = [
    networkList, networkAdd, networkAddNamed, networkInfo, networkModify, networkRemove, networkLeaseList,
    networkLeaseAdd, networkLeaseAddNamed, networkLeaseInfo, networkLeaseRemove, networkACLList, networkACLAdd,
    networkACLAddNamed, networkACLInfo, networkACLRemove, sriovPFList, sriovVFList, sriovVFInfo, sriovVFSet,
  ]
}
