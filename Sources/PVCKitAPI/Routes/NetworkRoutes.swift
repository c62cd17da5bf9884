import HTTPTypes
import Hummingbird
import PVCKit

/// `/network`: client networks.
enum NetworkRoutes {
  static let all: [APIRoute] = [
    APIRoute(.networkList) { call in
      let networks = try await call.cluster.networks.list(limit: call.parameters.string("limit"))
      return networks.isEmpty
        ? Responses.message("Network not found.", status: .notFound) : try Responses.json(networks)
    },
    APIRoute(.networkAdd) { call in
      try await add(call, vni: call.parameters.int("vni") ?? 0)
    },
    APIRoute(.networkAddNamed) { call in
      try await add(call, vni: try vni(call))
    },
    APIRoute(.networkInfo) { call in
      let vni = try vni(call)
      do {
        return try Responses.json([try await call.cluster.networks.info(vni)])
      } catch NetworkError.notFound {
        return Responses.message("Network not found.", status: .notFound)
      }
    },
    APIRoute(.networkModify) { call in
      let p = call.parameters
      let vni = try vni(call)
      try await call.cluster.networks.modify(
        vni,
        NetworkChange(
          description: p.string("description"), mtu: p.int("mtu"), domain: p.raw("domain"),
          nameServers: p.isGiven("name_servers") ? servers(p) : nil, ip4Network: p.raw("ip4_network"),
          ip4Gateway: p.raw("ip4_gateway"), dhcp4: p.bool("dhcp4"), dhcp4Start: p.raw("dhcp4_start"),
          dhcp4End: p.raw("dhcp4_end"), ip6Network: p.raw("ip6_network"), ip6Gateway: p.raw("ip6_gateway")))
      return Responses.message("Modified network \(vni).")
    },
    APIRoute(.networkLeaseList) { call in
      let leases = try await call.cluster.networks.leases(
        try vni(call), limit: call.parameters.string("limit"), staticOnly: call.parameters.flag("static"))
      return leases.isEmpty ? Responses.message("Lease not found.", status: .notFound) : try Responses.json(leases)
    },
    APIRoute(.networkLeaseAdd) { call in
      try await reserve(call, mac: call.parameters.string("macaddress") ?? "")
    },
    APIRoute(.networkLeaseAddNamed) { call in
      try await reserve(call, mac: call.path("mac"))
    },
    APIRoute(.networkLeaseInfo) { call in
      let mac = NetworkRules.mac(call.path("mac")) ?? call.path("mac")
      let leases = try await call.cluster.networks.leases(try vni(call), limit: nil, staticOnly: false)
      let found = leases.filter { $0.macAddress == mac }
      return found.isEmpty ? Responses.message("Lease not found.", status: .notFound) : try Responses.json(found)
    },
    APIRoute(.networkLeaseRemove) { call in
      let vni = try vni(call)
      try await call.cluster.networks.removeReservation(vni, mac: call.path("mac"))
      return Responses.message("Removed the reservation of \(call.path("mac")) in network \(vni).")
    },
    APIRoute(.networkACLList) { call in
      let acls = try await call.cluster.networks.acls(
        try vni(call), limit: call.parameters.string("limit"),
        direction: call.parameters.string("direction").flatMap(Layout.RuleDirection.init(rawValue:)))
      return acls.isEmpty ? Responses.message("ACL not found.", status: .notFound) : try Responses.json(acls)
    },
    APIRoute(.networkACLAdd) { call in
      try await addACL(call, description: call.parameters.string("description") ?? "")
    },
    APIRoute(.networkACLAddNamed) { call in
      try await addACL(call, description: call.path("description"))
    },
    APIRoute(.networkACLInfo) { call in
      let description = call.path("description")
      let found = try await call.cluster.networks.acls(try vni(call), limit: nil, direction: nil).filter {
        $0.description == description
      }
      return found.isEmpty ? Responses.message("ACL not found.", status: .notFound) : try Responses.json(found)
    },
    APIRoute(.networkACLRemove) { call in
      let vni = try vni(call)
      try await call.cluster.networks.removeACL(vni, description: call.path("description"))
      return Responses.message("Removed firewall rule \"\(call.path("description"))\" from network \(vni).")
    },
    APIRoute(.sriovPFList) { call in
      let pfs = try await call.cluster.networks.sriovPhysicalFunctions(node: call.path("node"))
      return pfs.isEmpty ? Responses.message("No SR-IOV PFs found.", status: .notFound) : try Responses.json(pfs)
    },
    APIRoute(.sriovVFList) { call in
      let vfs = try await call.cluster.networks.sriovVirtualFunctions(
        node: call.path("node"), pf: call.parameters.string("pf"))
      return vfs.isEmpty ? Responses.message("No SR-IOV VFs found.", status: .notFound) : try Responses.json(vfs)
    },
    APIRoute(.sriovVFInfo) { call in
      let vfs = try await call.cluster.networks.sriovVirtualFunctions(node: call.path("node"), pf: nil).filter {
        $0.phy == call.path("vf")
      }
      return vfs.isEmpty ? Responses.message("SR-IOV VF not found.", status: .notFound) : try Responses.json(vfs)
    },
    APIRoute(.sriovVFSet) { call in
      let p = call.parameters
      try await call.cluster.networks.setSRIOVVirtualFunction(
        node: call.path("node"), vf: call.path("vf"),
        SRIOVVirtualFunctionChange(
          vlanID: p.int("vlan_id"), vlanQoS: p.int("vlan_qos"), txRateMin: p.int("tx_rate_min"),
          txRateMax: p.int("tx_rate_max"), linkState: p.string("link_state"), spoofCheck: p.bool("spoof_check"),
          trust: p.bool("trust"), queryRSS: p.bool("query_rss")))
      return Responses.message("Changed the settings of SR-IOV VF \(call.path("vf")) on node \(call.path("node")).")
    },
    APIRoute(.networkRemove) { call in
      let vni = try vni(call)
      try await call.cluster.networks.remove(vni)
      return Responses.message("Removed network \(vni).")
    },
  ]

  /// `POST /network` and `POST /network/{vni}`.
  static func add(_ call: APICall, vni: Int) async throws -> Response {
    let p = call.parameters
    try await call.cluster.networks.add(
      NetworkDefinition(
        vni: vni, description: p.string("description") ?? "",
        type: NetworkType(rawValue: p.string("nettype") ?? "") ?? .managed,
        mtu: p.int("mtu").flatMap { $0 == 0 ? nil : $0 },
        domain: p.string("domain"), nameServers: servers(p), ip4Network: p.string("ip4_network"),
        ip4Gateway: p.string("ip4_gateway"), dhcp4: p.flag("dhcp4"), dhcp4Start: p.string("dhcp4_start"),
        dhcp4End: p.string("dhcp4_end"), ip6Network: p.string("ip6_network"), ip6Gateway: p.string("ip6_gateway")))
    return Responses.message("Added network \(vni).")
  }

  /// `POST /network/{vni}/lease` and `POST /network/{vni}/lease/{mac}`.
  static func reserve(_ call: APICall, mac: String) async throws -> Response {
    let vni = try vni(call)
    let ip = call.parameters.string("ipaddress") ?? ""
    try await call.cluster.networks.addReservation(
      vni, mac: mac, ip: ip, hostname: call.parameters.string("hostname") ?? "")
    return Responses.message("Reserved \(ip) for \(mac) in network \(vni).")
  }

  /// `POST /network/{vni}/acl` and `POST /network/{vni}/acl/{description}`.
  static func addACL(_ call: APICall, description: String) async throws -> Response {
    let vni = try vni(call)
    let p = call.parameters
    try await call.cluster.networks.addACL(
      vni, description: description,
      direction: p.string("direction").flatMap(Layout.RuleDirection.init(rawValue:)) ?? .inbound, order: p.int("order"),
      rule: p.string("rule") ?? "")
    return Responses.message("Added firewall rule \"\(description)\" to network \(vni).")
  }

  /// The name servers: repeated, and comma-separated within a value.
  static func servers(_ p: ValidatedParameters) -> [String] {
    p.strings("name_servers").flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
  }

  /// The path's VNI.
  static func vni(_ call: APICall) throws -> Int {
    guard let vni = Int(call.path("vni")), NetworkRules.managedVNIs.contains(vni) else {
      throw APIError(.notFound, "Network not found.")
    }
    return vni
  }
}
