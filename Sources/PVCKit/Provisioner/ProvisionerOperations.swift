/// The provisioner's objects: system, network and storage templates, userdata documents, scripts, OVA images
/// and profiles, kept in the cluster's MariaDB Galera (upstream keeps them in Postgres). Implemented once per way
/// of reaching a cluster.
///
/// Every value is checked by ``ProvisionerRules`` first; an object a profile uses is not removed (the error
/// names the profiles). `limit` matches names fuzzily unless anchored with `^` or `$`, as upstream.
public protocol ProvisionerOperations: Sendable {
  /// Every template, by kind.
  func templates(limit: String?) async throws -> ProvisionerTemplates

  func systemTemplates(limit: String?) async throws -> [SystemTemplate]
  func systemTemplate(_ name: String) async throws -> SystemTemplate
  /// Adds a system template (`vcpus`, `vramMB`, `serial` and `vnc` required).
  func addSystemTemplate(_ name: String, _ request: SystemTemplateRequest) async throws
  /// Changes the values given.
  func modifySystemTemplate(_ name: String, _ request: SystemTemplateRequest) async throws
  func removeSystemTemplate(_ name: String) async throws

  func networkTemplates(limit: String?) async throws -> [NetworkTemplate]
  func networkTemplate(_ name: String) async throws -> NetworkTemplate
  func addNetworkTemplate(_ name: String, macTemplate: String?) async throws
  func removeNetworkTemplate(_ name: String) async throws
  /// Adds a network (a VNI, or `upstream`, `cluster`, `storage`) to a template; NICs follow the order added.
  /// A network already in the template is refused unless `permitDuplicate`.
  func addTemplateNetwork(_ template: String, vni: String, permitDuplicate: Bool) async throws
  func removeTemplateNetwork(_ template: String, vni: String) async throws

  func storageTemplates(limit: String?) async throws -> [StorageTemplate]
  func storageTemplate(_ name: String) async throws -> StorageTemplate
  func addStorageTemplate(_ name: String) async throws
  func removeStorageTemplate(_ name: String) async throws
  func addTemplateDisk(_ template: String, diskID: String, _ request: TemplateDiskRequest) async throws
  func removeTemplateDisk(_ template: String, diskID: String) async throws

  func userdata(limit: String?) async throws -> [UserdataDocument]
  func userdata(_ name: String) async throws -> UserdataDocument
  func addUserdata(_ name: String, data: String) async throws
  func modifyUserdata(_ name: String, data: String) async throws
  func removeUserdata(_ name: String) async throws

  func scripts(limit: String?) async throws -> [ProvisionerScript]
  func script(_ name: String) async throws -> ProvisionerScript
  func addScript(_ name: String, data: String) async throws
  func modifyScript(_ name: String, data: String) async throws
  func removeScript(_ name: String) async throws

  func ovas(limit: String?) async throws -> [OVAImage]
  func ova(_ name: String) async throws -> OVAImage
  /// Imports an OVA archive of `size` bytes into `pool` (streamed, never held in memory): a volume per disk,
  /// the image, a system template and an `ova` profile named `name`. A failure leaves nothing behind.
  func uploadOVA(_ name: String, pool: String, size: UInt64, from source: ImageSource) async throws
  /// Removes an OVA image with its volumes, its `ova` profiles and the system template made for it; refused
  /// while a profile of another type uses it.
  func removeOVA(_ name: String) async throws

  func profiles(limit: String?) async throws -> [VMProfile]
  func profile(_ name: String) async throws -> VMProfile
  /// Adds a profile: `type`, `systemTemplate` and `script` required (an OVA profile names its `ova`); every
  /// name given must exist.
  func addProfile(_ name: String, _ request: VMProfileRequest) async throws
  /// Changes the references given (the type and OVA stay); `arguments`, when given, replace the old ones.
  func modifyProfile(_ name: String, _ request: VMProfileRequest) async throws
  func removeProfile(_ name: String) async throws

  /// Queues the creation of a VM from a profile on the primary (task `provisioner.create`, 11 stages); follow
  /// it through ``PVCCluster/tasks``.
  func create(_ arguments: ProvisionerCreateTask.Arguments) async throws -> ClusterTask
}
