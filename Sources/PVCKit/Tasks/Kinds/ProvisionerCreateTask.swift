import Foundation

/// `provisioner.create`: a VM made from a profile, on the primary, in upstream's 11 stages: the profile's
/// objects collected and checked against the cluster, the script prepared, its `setup` and `create` phases,
/// the VM defined (state `provision`), its volumes made (copied from a source volume or created) and the
/// script's `prepare`, `install` and `cleanup` phases, then the VM stopped or started. A stage that fails
/// undoes what the create made (the definition, the volumes, the scratch directory), after the script's
/// `cleanup` phase; the task's error says which stage failed and why.
public enum ProvisionerCreateTask: TaskKind {
  public struct Arguments: Codable, Sendable, Hashable {
    public var name: String
    public var profile: String
    /// Define the VM (upstream's `define_vm`); without it, the script's phases run and nothing is defined.
    public var define: Bool
    /// Start it at the end.
    public var start: Bool
    /// `key=value` script arguments over the profile's.
    public var arguments: [String]

    public init(name: String, profile: String, define: Bool = true, start: Bool = true, arguments: [String] = []) {
      self.name = name
      self.profile = profile
      self.define = define
      self.start = start
      self.arguments = arguments
    }
  }

  public static let name = "provisioner.create"
  /// A create may be cancelled: the script phase under way is killed and what was made is undone.
  public static var isCancellable: Bool { true }
  /// Creates copy volumes and run scripts: a few at once keep each one quick and the primary responsive.
  public static var concurrencyLimit: Int? { 4 }
  static let stages = 11

  public static func node(for arguments: Arguments, in placement: TaskPlacement) async throws -> String {
    try await placement.nodes.requirePrimary()
  }

  /// What the create has made so far, to undo on failure.
  actor Made {
    var vm: String?
    var volumes: [(pool: String, name: String)] = []
    func defined(_ uuid: String) { vm = uuid }
    func volume(_ pool: String, _ name: String) { volumes.append((pool, name)) }
  }

  public static func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
    try VMName.check(arguments.name)
    let link = try context.requireProvisioner()
    let provisioner = DirectProvisionerOperations(link: link)
    func stage(_ number: Int, _ status: String) async throws {
      try Task.checkCancellation()
      await context.update(current: number, total: stages, status: status)
    }
    try await stage(0, "Provisioning new VM '\(arguments.name)' with profile '\(arguments.profile)'")

    // 1. The profile's objects.
    try await stage(1, "Collecting configuration details")
    let profile = try await provisioner.profile(arguments.profile)
    let system = try await provisioner.systemTemplate(profile.systemTemplate)
    let network =
      profile.networkTemplate == VMProfile.none ? nil : try await provisioner.networkTemplate(profile.networkTemplate)
    // An OVA profile's disks are copies of the image's volumes.
    let storage =
      profile.type == .ova
      ? ovaStorage(try await provisioner.ova(profile.ova))
      : profile.storageTemplate == VMProfile.none ? nil : try await provisioner.storageTemplate(profile.storageTemplate)
    let userdata = profile.userdata == VMProfile.none ? nil : try await provisioner.userdata(profile.userdata).userdata
    // An OVA profile may go without a script (its phases are then skipped).
    let script =
      profile.script == VMProfile.none && profile.type == .ova
      ? nil : try await provisioner.script(profile.script).script
    let plan = try ProvisionerPlan.make(
      name: arguments.name, uuid: UUID().uuidString.lowercased(), profile: profile, system: system, network: network,
      storage: storage, userdata: userdata, arguments: arguments.arguments)

    // 2. Against the cluster: the name is free, the networks, pools and source volumes exist.
    try await stage(2, "Verifying configuration against cluster")
    try await verify(plan, context: context)

    // 3. The script's scratch directory.
    try await stage(3, "Preparing provisioning script")
    let runner = try script.map {
      try ProvisionerScriptRunner.prepare(script: $0, in: context.scratchDirectory, name: "provision-\(arguments.name)")
    }
    let made = Made()
    var xml = plan.domainXML()
    do {
      try await stage(4, "Running script setup phase")
      _ = try await phase("setup", runner, plan, xml: xml)
      try await stage(5, "Running script create phase")
      let created = try await phase("create", runner, plan, xml: xml)
      let own = created.trimmingCharacters(in: .whitespacesAndNewlines)
      if own.hasPrefix("<domain") { xml = own }  // the script's own definition, checked like any other
      if arguments.define {
        try await stage(6, "Defining VM")
        let (uuid, _) = try await context.vms.define(
          VMDefinition(
            xml: xml, node: nil, nodeLimit: system.nodeLimit?.split(separator: ",").map(String.init) ?? [],
            nodeSelector: system.nodeSelector.flatMap(NodeSelector.init(rawValue:)) ?? .none,
            autostart: system.nodeAutostart,
            migrationMethod: system.migrationMethod.flatMap(MigrationMethod.init(rawValue:)) ?? .none,
            migrationMaxDowntime: system.migrationMaxDowntime, profile: profile.name, initialState: .provision))
        await made.defined(uuid)
      }
      try await stage(7, "Making volumes and running script prepare phase")
      try await makeVolumes(plan, context: context, made: made)
      _ = try await phase("prepare", runner, plan, xml: xml)
      try await stage(8, "Running script install phase")
      _ = try await phase("install", runner, plan, xml: xml)
      try await stage(9, "Running script cleanup phase")
      _ = try await phase("cleanup", runner, plan, xml: xml)
    } catch {
      // Undo: the script's cleanup (its failure only noted), the definition, the volumes, the scratch directory;
      // in a task of its own, so that it runs to its end when the create was cancelled.
      let undoing = xml
      await Task {
        _ = try? await phase("cleanup", runner, plan, xml: undoing)
        await undo(made, context: context)
      }.value
      runner?.remove()
      throw error
    }
    runner?.remove()
    // Past the point of no return: the rest is not cancelled.
    await context.update(
      current: 10, total: stages, status: arguments.start && arguments.define ? "Starting VM" : "Finishing")
    if arguments.define {
      let request: VMStateRequest = arguments.start ? .start : .stop
      try await context.vms.setState(arguments.name, request, force: true, wait: false)
    }
    await context.update(current: 11, total: stages, status: "Done")
    return arguments.define && arguments.start
      ? "VM \"\(arguments.name)\" with profile \"\(profile.name)\" has been provisioned and started successfully"
      : "VM \"\(arguments.name)\" with profile \"\(profile.name)\" has been provisioned successfully"
  }

  /// Stage 2's checks.
  static func verify(_ plan: ProvisionerPlan, context: TaskContext) async throws {
    if (try? await context.vms.info(plan.name)) != nil {
      throw ProvisionerError.invalid("a VM with the name '\(plan.name)' already exists in the cluster")
    }
    let networks = DirectNetworkOperations(zookeeper: context.zookeeper, vms: context.vms)
    for nic in plan.nics {
      guard let vni = Int(nic.vni) else { continue }  // upstream, cluster, storage: the nodes' own bridges
      guard (try? await networks.info(vni)) != nil else {
        throw ProvisionerError.invalid("the network \(vni) is not present on the cluster")
      }
    }
    guard !plan.disks.isEmpty else { return }
    let storage = try context.directStorage()
    for disk in plan.disks {
      _ = try await storage.pool(disk.pool)
      if let source = disk.sourceVolume { _ = try await storage.volume(source, pool: disk.pool) }
      if (try? await storage.volume(disk.volume, pool: disk.pool)) != nil {
        throw ProvisionerError.invalid("volume \(disk.pool)/\(disk.volume) exists already")
      }
    }
  }

  /// Stage 7's volumes: each copied from its source volume or made of its size.
  static func makeVolumes(_ plan: ProvisionerPlan, context: TaskContext, made: Made) async throws {
    guard !plan.disks.isEmpty else { return }
    let storage = try context.directStorage()
    for disk in plan.disks {
      if let source = disk.sourceVolume {
        try await storage.cloneVolume(source, pool: disk.pool, to: disk.volume, force: true)
      } else {
        try await storage.addVolume(disk.volume, pool: disk.pool, size: "\(disk.sizeGB ?? 1)G", force: false)
      }
      await made.volume(disk.pool, disk.volume)
    }
  }

  /// Removes what a failed create made.
  static func undo(_ made: Made, context: TaskContext) async {
    if let uuid = await made.vm { try? await context.vms.undefine(uuid) }
    if let storage = try? context.directStorage() {
      for volume in await made.volumes { try? await storage.removeVolume(volume.name, pool: volume.pool) }
    }
  }

  /// An OVA image's volumes as a storage template: each disk a copy of its volume.
  static func ovaStorage(_ image: OVAImage) -> StorageTemplate {
    StorageTemplate(
      id: 0, name: image.name, ova: image.id,
      disks: image.volumes.map {
        TemplateDisk(
          id: 0, storageTemplate: 0, pool: $0.pool, diskID: $0.diskID, sourceVolume: $0.volumeName,
          diskSizeGB: $0.diskSizeGB, filesystemArgs: "")
      })
  }

  /// Runs one phase of the script with the VM's data; its standard output is returned (empty without a script).
  static func phase(_ name: String, _ runner: ProvisionerScriptRunner?, _ plan: ProvisionerPlan, xml: String)
    async throws -> String
  {
    guard let runner else { return "" }
    struct Input: Encodable {
      var phase: String
      var vm: ProvisionerPlan
      var xml: String
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data = try encoder.encode(Input(phase: name, vm: plan, xml: xml))
    let outcome = try await runner.run(
      name, data: data,
      environment: ["PVC_VM_NAME": plan.name, "PVC_VM_UUID": plan.uuid, "PVC_VM_PROFILE": plan.profile])
    if outcome.timedOut { throw ProvisionerError.invalid("the script's \(name) phase did not finish in time") }
    guard outcome.status == 0 else {
      throw ProvisionerError.invalid(
        "the script's \(name) phase failed (exit status \(outcome.status)): \(outcome.tail)")
    }
    return outcome.output
  }
}
