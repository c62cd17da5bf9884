/// The provisioner's operations (`/provisioner`): templates, userdata documents, scripts, OVA images and
/// profiles, with upstream's paths, parameters and answers.
extension OperationSpec {
  static let limitParameter = OperationParameter.string("limit", "A name pattern, fuzzy unless anchored with ^ or $")
  static let provisionerNote =
    "Kept in the cluster's MariaDB Galera (database.mariadb.api); 503 when it cannot be reached"

  static let systemTemplateValues: [OperationParameter] = [
    .integer("vcpus", ProvisionerRules.vcpuRange, required: true, "The vCPU count"),
    .integer("vram", ProvisionerRules.memoryRange, required: true, "The memory, in MB"),
    .boolean("serial", required: true, "Whether the VM has a serial console"),
    .boolean("vnc", required: true, "Whether the VM has a VNC console"),
    .string("vnc_bind", "The address VNC listens on (with vnc)"),
    .string("node_limit", "The nodes the VM may run on, comma-separated"),
    .choice("node_selector", NodeSelector.allCases.map(\.rawValue), "How a node is chosen for the VM"),
    .boolean("node_autostart", "Whether the VM starts when its node becomes ready"),
    .choice("migration_method", MigrationMethod.allCases.map(\.rawValue), "How the VM moves between nodes"),
    .integer("migration_max_downtime", 1...3_600_000, "The longest pause of a live migration, in ms (default 300)"),
  ]

  /// The same values, each optional (a change).
  static var systemTemplateChanges: [OperationParameter] {
    systemTemplateValues.map { parameter in
      var optional = parameter
      optional.required = false
      return optional
    }
  }

  static let templateDiskValues: [OperationParameter] = [
    .string("pool", required: true, "The pool of the disk's volume"),
    .string("source_volume", "A volume to copy instead of making a new one"),
    .integer("disk_size", ProvisionerRules.diskSizeRange, "The new volume's size, in GB"),
    .choice("filesystem", ProvisionerRules.filesystems, "A filesystem to make on it"),
    .string("filesystem_arg", repeated: true, "An argument of mkfs, such as -L=root"),
    .string("mountpoint", "Where the install stage mounts it (with filesystem)"),
  ]

  static let profileReferences: [OperationParameter] = [
    .string("network_template", "Its network template"),
    .string("storage_template", "Its storage template"),
    .string("userdata", "Its userdata document"),
    .string("arg", repeated: true, "A script argument, key=value"),
  ]

  static let profileValues: [OperationParameter] =
    [
      .choice("profile_type", ProfileType.allCases.map(\.rawValue), required: true, "provisioner or ova"),
      .string("script", "Its script (required for provisioner profiles)"),
      .string("system_template", required: true, "Its system template"),
      .string("ova", "Its OVA image (ova profiles)"),
    ] + profileReferences

  /// Every template
  public static let provisionerTemplateList = OperationSpec(
    "provisioner.template-list", .get, "/provisioner/template", summary: "Every template",
    parameters: [limitParameter], responses: [200: "object:templates"], notes: [provisionerNote])

  /// The system templates
  public static let provisionerSystemList = OperationSpec(
    "provisioner.system-list", .get, "/provisioner/template/system", summary: "The system templates",
    parameters: [limitParameter], responses: [200: "array:system-template", 404: "Message"])
  /// Add a system template
  public static let provisionerSystemAdd = OperationSpec(
    "provisioner.system-add", .post, "/provisioner/template/system", summary: "Add a system template",
    parameters: [.string("name", required: true, "The template's name")] + systemTemplateValues,
    responses: [200: "Message", 400: "Message"])
  /// System template {template}
  public static let provisionerSystemInfo = OperationSpec(
    "provisioner.system-info", .get, "/provisioner/template/system/{template}", summary: "System template {template}",
    responses: [200: "array:system-template", 404: "Message"])
  /// Add system template {template}
  public static let provisionerSystemAddNamed = OperationSpec(
    "provisioner.system-add-named", .post, "/provisioner/template/system/{template}",
    summary: "Add system template {template}", parameters: systemTemplateValues,
    responses: [200: "Message", 400: "Message"])
  /// Change system template {template}
  public static let provisionerSystemModify = OperationSpec(
    "provisioner.system-modify", .put, "/provisioner/template/system/{template}",
    summary: "Change system template {template}", parameters: systemTemplateChanges,
    responses: [200: "Message", 400: "Message", 404: "Message"])
  /// Remove system template {template}
  public static let provisionerSystemRemove = OperationSpec(
    "provisioner.system-remove", .delete, "/provisioner/template/system/{template}",
    summary: "Remove system template {template}", responses: [200: "Message", 400: "Message"],
    notes: ["Refused while a profile uses it, naming the profiles"])

  /// The network templates
  public static let provisionerNetworkList = OperationSpec(
    "provisioner.network-list", .get, "/provisioner/template/network", summary: "The network templates",
    parameters: [limitParameter], responses: [200: "array:network-template", 404: "Message"])
  /// Add a network template
  public static let provisionerNetworkAdd = OperationSpec(
    "provisioner.network-add", .post, "/provisioner/template/network", summary: "Add a network template",
    parameters: [
      .string("name", required: true, "The template's name"),
      .string("mac_template", "The NICs' MAC addresses, such as {prefix}:ff:ff:{vmid}{netid}"),
    ], responses: [200: "Message", 400: "Message"])
  /// Network template {template}
  public static let provisionerNetworkInfo = OperationSpec(
    "provisioner.network-info", .get, "/provisioner/template/network/{template}",
    summary: "Network template {template}", responses: [200: "array:network-template", 404: "Message"])
  /// Add network template {template}
  public static let provisionerNetworkAddNamed = OperationSpec(
    "provisioner.network-add-named", .post, "/provisioner/template/network/{template}",
    summary: "Add network template {template}",
    parameters: [.string("mac_template", "The NICs' MAC addresses, such as {prefix}:ff:ff:{vmid}{netid}")],
    responses: [200: "Message", 400: "Message"])
  /// Remove network template {template}
  public static let provisionerNetworkRemove = OperationSpec(
    "provisioner.network-remove", .delete, "/provisioner/template/network/{template}",
    summary: "Remove network template {template}", responses: [200: "Message", 400: "Message"])
  /// The networks of network template {template}
  public static let provisionerNetworkNetList = OperationSpec(
    "provisioner.network-net-list", .get, "/provisioner/template/network/{template}/net",
    summary: "The networks of network template {template}",
    responses: [200: "array:network-template-net", 404: "Message"])
  /// Add a network to network template {template}
  public static let provisionerNetworkNetAdd = OperationSpec(
    "provisioner.network-net-add", .post, "/provisioner/template/network/{template}/net",
    summary: "Add a network to network template {template}",
    parameters: [
      .string("vni", required: true, "The network: a VNI, or upstream, cluster or storage"),
      .boolean("permit_duplicate", "Add it even if the template has it (a second NIC on it)"),
    ], responses: [200: "Message", 400: "Message"])
  /// Network {vni} of network template {template}
  public static let provisionerNetworkNetInfo = OperationSpec(
    "provisioner.network-net-info", .get, "/provisioner/template/network/{template}/net/{vni}",
    summary: "Network {vni} of network template {template}", responses: [200: "network-template-net", 404: "Message"])
  /// Add network {vni} to network template {template}
  public static let provisionerNetworkNetAddNamed = OperationSpec(
    "provisioner.network-net-add-named", .post, "/provisioner/template/network/{template}/net/{vni}",
    summary: "Add network {vni} to network template {template}",
    parameters: [.boolean("permit_duplicate", "Add it even if the template has it (a second NIC on it)")],
    responses: [200: "Message", 400: "Message"])
  /// Remove network {vni} from network template {template}
  public static let provisionerNetworkNetRemove = OperationSpec(
    "provisioner.network-net-remove", .delete, "/provisioner/template/network/{template}/net/{vni}",
    summary: "Remove network {vni} from network template {template}", responses: [200: "Message", 400: "Message"])

  /// The storage templates
  public static let provisionerStorageList = OperationSpec(
    "provisioner.storage-list", .get, "/provisioner/template/storage", summary: "The storage templates",
    parameters: [limitParameter], responses: [200: "array:storage-template", 404: "Message"])
  /// Add a storage template
  public static let provisionerStorageAdd = OperationSpec(
    "provisioner.storage-add", .post, "/provisioner/template/storage", summary: "Add a storage template",
    parameters: [.string("name", required: true, "The template's name")], responses: [200: "Message", 400: "Message"])
  /// Storage template {template}
  public static let provisionerStorageInfo = OperationSpec(
    "provisioner.storage-info", .get, "/provisioner/template/storage/{template}",
    summary: "Storage template {template}", responses: [200: "array:storage-template", 404: "Message"])
  /// Add storage template {template}
  public static let provisionerStorageAddNamed = OperationSpec(
    "provisioner.storage-add-named", .post, "/provisioner/template/storage/{template}",
    summary: "Add storage template {template}", responses: [200: "Message", 400: "Message"])
  /// Remove storage template {template}
  public static let provisionerStorageRemove = OperationSpec(
    "provisioner.storage-remove", .delete, "/provisioner/template/storage/{template}",
    summary: "Remove storage template {template}", responses: [200: "Message", 400: "Message"])
  /// The disks of storage template {template}
  public static let provisionerStorageDiskList = OperationSpec(
    "provisioner.storage-disk-list", .get, "/provisioner/template/storage/{template}/disk",
    summary: "The disks of storage template {template}",
    responses: [200: "array:storage-template-disk", 404: "Message"])
  /// Add a disk to storage template {template}
  public static let provisionerStorageDiskAdd = OperationSpec(
    "provisioner.storage-disk-add", .post, "/provisioner/template/storage/{template}/disk",
    summary: "Add a disk to storage template {template}",
    parameters: [.string("disk_id", required: true, "The disk's ID in the VM (sda, vdb...)")] + templateDiskValues,
    responses: [200: "Message", 400: "Message"])
  /// Disk {disk_id} of storage template {template}
  public static let provisionerStorageDiskInfo = OperationSpec(
    "provisioner.storage-disk-info", .get, "/provisioner/template/storage/{template}/disk/{disk_id}",
    summary: "Disk {disk_id} of storage template {template}", responses: [200: "storage-template-disk", 404: "Message"])
  /// Add disk {disk_id} to storage template {template}
  public static let provisionerStorageDiskAddNamed = OperationSpec(
    "provisioner.storage-disk-add-named", .post, "/provisioner/template/storage/{template}/disk/{disk_id}",
    summary: "Add disk {disk_id} to storage template {template}", parameters: templateDiskValues,
    responses: [200: "Message", 400: "Message"])
  /// Remove disk {disk_id} from storage template {template}
  public static let provisionerStorageDiskRemove = OperationSpec(
    "provisioner.storage-disk-remove", .delete, "/provisioner/template/storage/{template}/disk/{disk_id}",
    summary: "Remove disk {disk_id} from storage template {template}", responses: [200: "Message", 400: "Message"])

  /// Every area of this file.
  static let provisionerOperations: [OperationSpec] =
    [
      provisionerTemplateList, provisionerSystemList, provisionerSystemAdd, provisionerSystemInfo,
      provisionerSystemAddNamed, provisionerSystemModify, provisionerSystemRemove, provisionerNetworkList,
      provisionerNetworkAdd, provisionerNetworkInfo, provisionerNetworkAddNamed, provisionerNetworkRemove,
      provisionerNetworkNetList, provisionerNetworkNetAdd, provisionerNetworkNetInfo, provisionerNetworkNetAddNamed,
      provisionerNetworkNetRemove, provisionerStorageList, provisionerStorageAdd, provisionerStorageInfo,
      provisionerStorageAddNamed, provisionerStorageRemove, provisionerStorageDiskList, provisionerStorageDiskAdd,
      provisionerStorageDiskInfo, provisionerStorageDiskAddNamed, provisionerStorageDiskRemove,
    ] + provisionerDocumentOperations + provisionerProfileOperations
}
