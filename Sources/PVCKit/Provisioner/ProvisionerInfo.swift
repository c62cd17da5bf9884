/// The provisioner's objects, in upstream's JSON shapes (`/provisioner/...`): templates, userdata documents,
/// scripts, OVA images and the profiles that tie them together. They live in the cluster's MariaDB Galera.

/// A system template: the VM's size, consoles and placement (`system_template`).
public struct SystemTemplate: Codable, Sendable, Hashable {
  public var id: Int
  public var name: String
  public var vcpuCount: Int
  /// Memory in MiB (upstream's "MB").
  public var vramMB: Int
  public var serial: Bool
  public var vnc: Bool
  public var vncBind: String?
  /// Node names, comma-separated (upstream's form).
  public var nodeLimit: String?
  public var nodeSelector: String?
  public var nodeAutostart: Bool
  public var migrationMethod: String?
  /// Milliseconds.
  public var migrationMaxDowntime: Int
  /// The OVA image the template was made from.
  public var ova: Int?

  enum CodingKeys: String, CodingKey {
    case id, name, serial, vnc, ova
    case vcpuCount = "vcpu_count"
    case vramMB = "vram_mb"
    case vncBind = "vnc_bind"
    case nodeLimit = "node_limit"
    case nodeSelector = "node_selector"
    case nodeAutostart = "node_autostart"
    case migrationMethod = "migration_method"
    case migrationMaxDowntime = "migration_max_downtime"
  }
}

/// What a system template is made or changed with.
public struct SystemTemplateRequest: Sendable, Hashable {
  public var vcpus: Int?
  public var vramMB: Int?
  public var serial: Bool?
  public var vnc: Bool?
  public var vncBind: String?
  public var nodeLimit: [String]?
  public var nodeSelector: String?
  public var nodeAutostart: Bool?
  public var migrationMethod: String?
  public var migrationMaxDowntime: Int?

  public init(
    vcpus: Int? = nil, vramMB: Int? = nil, serial: Bool? = nil, vnc: Bool? = nil, vncBind: String? = nil,
    nodeLimit: [String]? = nil, nodeSelector: String? = nil, nodeAutostart: Bool? = nil,
    migrationMethod: String? = nil, migrationMaxDowntime: Int? = nil
  ) {
    self.vcpus = vcpus
    self.vramMB = vramMB
    self.serial = serial
    self.vnc = vnc
    self.vncBind = vncBind
    self.nodeLimit = nodeLimit
    self.nodeSelector = nodeSelector
    self.nodeAutostart = nodeAutostart
    self.migrationMethod = migrationMethod
    self.migrationMaxDowntime = migrationMaxDowntime
  }
}

/// A network template: the VM's NICs, one per network in order, with a MAC template (`network_template`).
public struct NetworkTemplate: Codable, Sendable, Hashable {
  public var id: Int
  public var name: String
  public var macTemplate: String?
  public var ova: Int?
  public var networks: [TemplateNetwork]

  enum CodingKeys: String, CodingKey {
    case id, name, ova, networks
    case macTemplate = "mac_template"
  }
}

/// One NIC of a network template: a VNI, or `upstream`, `cluster` or `storage` (upstream keeps it as text).
public struct TemplateNetwork: Codable, Sendable, Hashable {
  public var id: Int
  public var networkTemplate: Int
  public var vni: String

  enum CodingKeys: String, CodingKey {
    case id, vni
    case networkTemplate = "network_template"
  }
}

/// A storage template: the VM's disks (`storage_template`).
public struct StorageTemplate: Codable, Sendable, Hashable {
  public var id: Int
  public var name: String
  public var ova: Int?
  public var disks: [TemplateDisk]
}

/// One disk of a storage template: a new volume of a size (optionally formatted and mounted for the
/// install), or a copy of a source volume.
public struct TemplateDisk: Codable, Sendable, Hashable {
  public var id: Int
  public var storageTemplate: Int
  public var pool: String
  public var diskID: String
  public var sourceVolume: String?
  public var diskSizeGB: Int?
  public var mountpoint: String?
  public var filesystem: String?
  /// The filesystem's arguments, space-separated (upstream's form).
  public var filesystemArgs: String

  enum CodingKeys: String, CodingKey {
    case id, pool, mountpoint, filesystem
    case storageTemplate = "storage_template"
    case diskID = "disk_id"
    case sourceVolume = "source_volume"
    case diskSizeGB = "disk_size_gb"
    case filesystemArgs = "filesystem_args"
  }
}

/// What a storage template's disk is made with.
public struct TemplateDiskRequest: Sendable, Hashable {
  public var pool: String
  public var sourceVolume: String?
  public var sizeGB: Int?
  public var filesystem: String?
  public var filesystemArguments: [String]
  public var mountpoint: String?

  public init(
    pool: String, sourceVolume: String? = nil, sizeGB: Int? = nil, filesystem: String? = nil,
    filesystemArguments: [String] = [], mountpoint: String? = nil
  ) {
    self.pool = pool
    self.sourceVolume = sourceVolume
    self.sizeGB = sizeGB
    self.filesystem = filesystem
    self.filesystemArguments = filesystemArguments
    self.mountpoint = mountpoint
  }
}

/// A cloud-init userdata document.
public struct UserdataDocument: Codable, Sendable, Hashable {
  public var id: Int
  public var name: String
  public var userdata: String
}

/// A provisioning script: an executable (any language, with its `#!` line) run at each stage of a create.
public struct ProvisionerScript: Codable, Sendable, Hashable {
  public var id: Int
  public var name: String
  public var script: String
}

/// An OVA image's disks, imported into volumes.
public struct OVAImage: Codable, Sendable, Hashable {
  public var id: Int
  public var name: String
  public var volumes: [OVAVolume]
}

/// One disk of an OVA image.
public struct OVAVolume: Codable, Sendable, Hashable {
  public var pool: String
  public var volumeName: String
  public var volumeFormat: String
  public var diskID: String
  public var diskSizeGB: Int

  enum CodingKeys: String, CodingKey {
    case pool
    case volumeName = "volume_name"
    case volumeFormat = "volume_format"
    case diskID = "disk_id"
    case diskSizeGB = "disk_size_gb"
  }
}

/// What a profile makes: a VM from templates and a script, or from an OVA image.
public enum ProfileType: String, Codable, Sendable, Hashable, CaseIterable {
  case provisioner, ova
}

/// A VM profile: the templates, userdata, script and arguments a create uses. References are shown by name,
/// `N/A` where there is none (upstream's form).
public struct VMProfile: Codable, Sendable, Hashable {
  public var id: Int
  public var name: String
  public var type: ProfileType
  public var systemTemplate: String
  public var networkTemplate: String
  public var storageTemplate: String
  public var userdata: String
  public var script: String
  public var ova: String
  /// `key=value` arguments for the script.
  public var arguments: [String]

  enum CodingKeys: String, CodingKey {
    case id, name, type, userdata, script, ova, arguments
    case systemTemplate = "system_template"
    case networkTemplate = "network_template"
    case storageTemplate = "storage_template"
  }

  /// What upstream shows for a missing reference.
  public static let none = "N/A"
}

/// What a profile is made or changed with (names of the objects it uses).
public struct VMProfileRequest: Sendable, Hashable {
  public var type: ProfileType?
  public var systemTemplate: String?
  public var networkTemplate: String?
  public var storageTemplate: String?
  public var userdata: String?
  public var script: String?
  public var ova: String?
  public var arguments: [String]?

  public init(
    type: ProfileType? = nil, systemTemplate: String? = nil, networkTemplate: String? = nil,
    storageTemplate: String? = nil, userdata: String? = nil, script: String? = nil, ova: String? = nil,
    arguments: [String]? = nil
  ) {
    self.type = type
    self.systemTemplate = systemTemplate
    self.networkTemplate = networkTemplate
    self.storageTemplate = storageTemplate
    self.userdata = userdata
    self.script = script
    self.ova = ova
    self.arguments = arguments
  }
}

/// Every template, by kind (`GET /provisioner/template`).
public struct ProvisionerTemplates: Codable, Sendable, Hashable {
  public var systemTemplates: [SystemTemplate]
  public var networkTemplates: [NetworkTemplate]
  public var storageTemplates: [StorageTemplate]

  /// Whether there are no templates at all.
  public var isEmpty: Bool { systemTemplates.isEmpty && networkTemplates.isEmpty && storageTemplates.isEmpty }

  enum CodingKeys: String, CodingKey {
    case systemTemplates = "system_templates"
    case networkTemplates = "network_templates"
    case storageTemplates = "storage_templates"
  }
}
