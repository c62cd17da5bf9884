import ArgumentParser
import PVCKit

/// Options shared by commands that change a VM's hardware (upstream's spellings).
struct RestartOptions: ParsableArguments {
  @Flag(name: [.short, .long], help: "Restart the VM to apply the change now.") var restart = false
  @Flag(
    name: [.customShort("R"), .customLong("no-restart")], help: "Apply the change at the next start (the default).")
  var noRestart = false
  @Flag(name: [.short, .long], help: "Do not ask before restarting.") var yes = false

  func validate() throws {
    if restart && noRestart { throw ValidationError("give --restart or --no-restart, not both") }
  }

  /// Whether to restart the VM: asked first unless --yes.
  func restarts(_ vm: String) throws -> Bool {
    guard restart else { return false }
    var confirmation = ConfirmationOptions()
    confirmation.yes = yes
    try confirmation.confirm("Restart VM \(vm) to apply the change?")
    return true
  }

  /// What the output says about when the change applies.
  var when: String { restart ? "; restarting it" : "; it applies at the next start" }
}

/// Upstream's live hot-plug switch for interfaces and disks: a running VM gets the device at once (tasks on its
/// node, followed here) as well as in its definition, unless --no-live or --restart.
struct LiveOptions: ParsableArguments {
  @Flag(name: [.short, .long], help: "Hot-plug into the running VM (the default).")
  var live = false
  @Flag(name: [.customShort("L"), .customLong("no-live")], help: "Only change the definition (applies at start).")
  var noLive = false

  func validate() throws {
    if live && noLive { throw ValidationError("give --live or --no-live, not both") }
  }

  /// Whether to hot-plug.
  var enabled: Bool { !noLive }

  /// Follows the hot-plug tasks, then says what was done: `done` plus when it applies.
  func finish(_ tasks: [ClusterTask], _ done: String, _ options: RestartOptions, _ cluster: PVCCluster) async throws {
    for task in tasks { try await followTask(task, cluster) }
    output(tasks.isEmpty ? "\(done)\(options.when)." : "\(done); hot-plugged into the running VM.")
  }
}

/// `-f/--format` of the `get` commands.
struct GetFormatOptions: ParsableArguments {
  @Option(name: [.short, .long], help: "pretty, raw, json or json-pretty.") var format: ListFormat = .pretty

  /// Prints `value` as JSON, `raw` lines, or `pretty` text.
  func print<T: Encodable>(_ value: T, raw: [String], pretty: () -> String) throws {
    switch format {
    case .json, .jsonPretty: try printJSON(value, pretty: format == .jsonPretty)
    case .raw: output(raw.joined(separator: "\n"))
    case .pretty: output(pretty())
    }
  }
}

/// `pvc vm vcpu`.
struct VMVCPUCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vcpu", abstract: "Show or set a VM's vCPUs.", subcommands: [Get.self, Set.self])

  struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the vCPU count and topology.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var format: GetFormatOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    func run() async throws {
      try await withCluster(connection) { cluster in
        let vm = try await cluster.vms.info(domain)
        try format.print(
          ["name": .string(vm.name), "vcpu": .integer(vm.vcpu), "vcpu_topology": JSONValue.string(vm.vcpuTopology)],
          raw: [String(vm.vcpu)]
        ) {
          "\(vm.vcpu) vCPUs (topology \(vm.vcpuTopology))"
        }
      }
    }
  }

  struct Set: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Set the vCPU count (and topology sockets,cores,threads).")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: RestartOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    @Argument(help: "The number of vCPUs.") var vcpus: Int
    @Option(name: [.short, .long], help: "Topology as sockets,cores,threads.") var topology: String?

    func run() async throws {
      var parsed: (Int, Int, Int)?
      if let topology {
        let parts = topology.split(separator: ",").compactMap { Int($0) }
        guard parts.count == 3 else { throw fail(CLIError("the topology must be sockets,cores,threads")) }
        parsed = (parts[0], parts[1], parts[2])
      }
      try await withCluster(connection) { cluster in
        try await cluster.vms.setVCPUs(domain, vcpus, topology: parsed, restart: try options.restarts(domain))
        output("Set VM \"\(domain)\" to \(vcpus) vCPUs\(options.when).")
      }
    }
  }
}

/// `pvc vm memory`.
struct VMMemoryCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "memory", abstract: "Show or set a VM's memory.", subcommands: [Get.self, Set.self])

  struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the memory in MiB.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var format: GetFormatOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    func run() async throws {
      try await withCluster(connection) { cluster in
        let vm = try await cluster.vms.info(domain)
        try format.print(["name": .string(vm.name), "memory": JSONValue.integer(vm.memory)], raw: [String(vm.memory)]) {
          "\(vm.memory) MiB"
        }
      }
    }
  }

  struct Set: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Set the memory in MiB.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: RestartOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    @Argument(help: "The memory in MiB.") var memory: Int
    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.vms.setMemory(domain, mebibytes: memory, restart: try options.restarts(domain))
        output("Set VM \"\(domain)\" to \(memory) MiB\(options.when).")
      }
    }
  }
}

/// `pvc vm network`.
struct VMNetworkCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "network", abstract: "Manage a VM's network interfaces.",
    subcommands: [Get.self, Add.self, Remove.self])

  struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the interfaces.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var format: GetFormatOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    func run() async throws {
      try await withCluster(connection) { cluster in
        let networks = try await cluster.vms.info(domain).networks
        try format.print(networks, raw: networks.map(\.vni)) {
          var table = Table(header: ["Network", "MAC", "Model"])
          table.rows = networks.map { [$0.vni, $0.mac, $0.model] }
          return table.render()
        }
      }
    }
  }

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Add an interface on a network (VNI, or upstream/cluster/storage).")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: RestartOptions
    @OptionGroup var live: LiveOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    @Argument(help: "The network.") var net: String
    @Option(name: [.customShort("a"), .customLong("macaddr")], help: "The MAC address (default: random).") var mac:
      String?
    @Option(name: [.short, .long], help: "The NIC model.") var model = "virtio"
    @Flag(name: [.short, .long], help: "An SR-IOV interface (NET is a VF).") var sriov = false
    @Option(name: [.customShort("d"), .customLong("sriov-mode")], help: "hostdev or macvtap.") var sriovMode = "macvtap"
    func run() async throws {
      guard !sriov else {
        throw fail(CLIError("SR-IOV interfaces are not available yet: they come with PVCKit's networks"))
      }
      try await withCluster(connection) { cluster in
        // A VNI must name one of the cluster's networks (the core networks are named, not numbered).
        if let vni = Int(net) { _ = try await cluster.networks.info(vni) }
        let tasks = try await cluster.vms.addNetwork(
          domain, VMNetworkRequest(network: net, mac: mac, model: model), restart: try options.restarts(domain),
          live: live.enabled)
        try await live.finish(tasks, "Network \"\(net)\" added to VM \"\(domain)\"", options, cluster)
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Remove the interfaces on a network, or the one with a MAC.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: RestartOptions
    @OptionGroup var live: LiveOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    @Argument(help: "The network.") var net: String?
    @Option(name: [.short, .customLong("mac-address")], help: "The MAC address.") var mac: String?
    @Flag(name: [.short, .long], help: "An SR-IOV interface.") var sriov = false
    func run() async throws {
      guard !sriov else {
        throw fail(CLIError("SR-IOV interfaces are not available yet: they come with PVCKit's networks"))
      }
      try await withCluster(connection) { cluster in
        let tasks = try await cluster.vms.removeNetwork(
          domain, network: net, mac: mac, restart: try options.restarts(domain), live: live.enabled)
        try await live.finish(
          tasks, "Network \"\(net ?? mac ?? "")\" removed from VM \"\(domain)\"", options, cluster)
      }
    }
  }
}

/// `pvc vm volume`.
struct VMVolumeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "volume", abstract: "Manage a VM's disks.", subcommands: [Get.self, Add.self, Remove.self])

  struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the disks.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var format: GetFormatOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    func run() async throws {
      try await withCluster(connection) { cluster in
        let disks = try await cluster.vms.info(domain).disks
        try format.print(disks, raw: disks.map(\.name)) {
          var table = Table(header: ["Volume", "Disk ID", "Type", "Bus"])
          table.rows = disks.map { [$0.name, $0.dev, $0.type, $0.bus] }
          return table.render()
        }
      }
    }
  }

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add a disk: an RBD volume (pool/volume) or a file.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: RestartOptions
    @OptionGroup var live: LiveOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    @Argument(help: "The volume.") var volume: String
    @Option(name: [.short, .customLong("disk-id")], help: "The target device (default: the next free one).") var diskID:
      String?
    @Option(name: [.short, .long], help: "The bus: scsi, ide, usb, virtio.") var bus = "scsi"
    @Option(name: [.customShort("t"), .customLong("type")], help: "rbd or file.") var type = "rbd"
    func run() async throws {
      try await withCluster(connection) { cluster in
        let tasks = try await cluster.vms.addVolume(
          domain, VMVolumeRequest(volume: volume, type: type, diskID: diskID, bus: bus),
          restart: try options.restarts(domain), live: live.enabled)
        try await live.finish(tasks, "Volume \"\(volume)\" added to VM \"\(domain)\"", options, cluster)
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a disk.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: RestartOptions
    @OptionGroup var live: LiveOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    @Argument(help: "The volume.") var volume: String
    func run() async throws {
      try await withCluster(connection) { cluster in
        let tasks = try await cluster.vms.removeVolume(
          domain, volume: volume, restart: try options.restarts(domain), live: live.enabled)
        try await live.finish(tasks, "Volume \"\(volume)\" removed from VM \"\(domain)\"", options, cluster)
      }
    }
  }
}
