import ArgumentParser
import PVCKit

/// Options shared by commands that change a VM's hardware.
struct RestartOptions: ParsableArguments {
  @Flag(name: [.short, .long], help: "Restart the VM to apply the change now.") var restart = false
}

/// `pvc vm vcpu`.
struct VMVCPUCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vcpu", abstract: "Show or set a VM's vCPUs.", subcommands: [Get.self, Set.self])

  struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the vCPU count and topology.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    func run() async throws {
      try await withCluster(connection) { cluster in
        let vm = try await cluster.vms.info(domain)
        output("\(vm.vcpu) vCPUs (topology \(vm.vcpuTopology))")
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
        try await cluster.vms.setVCPUs(domain, vcpus, topology: parsed, restart: options.restart)
        output(
          "Set VM \"\(domain)\" to \(vcpus) vCPUs\(options.restart ? "; restarting it" : "; it applies at the next start")."
        )
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
    @Argument(help: "The VM's name or UUID.") var domain: String
    func run() async throws {
      try await withCluster(connection) { cluster in output("\(try await cluster.vms.info(domain).memory) MiB") }
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
        try await cluster.vms.setMemory(domain, mebibytes: memory, restart: options.restart)
        output(
          "Set VM \"\(domain)\" to \(memory) MiB\(options.restart ? "; restarting it" : "; it applies at the next start")."
        )
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
    @Argument(help: "The VM's name or UUID.") var domain: String
    func run() async throws {
      try await withCluster(connection) { cluster in
        var table = Table(header: ["Network", "MAC", "Model"])
        table.rows = try await cluster.vms.info(domain).networks.map { [$0.vni, $0.mac, $0.model] }
        output(table.render())
      }
    }
  }

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Add an interface on a network (VNI, or upstream/cluster/storage).")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: RestartOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    @Argument(help: "The network.") var net: String
    @Option(name: [.customShort("a"), .customLong("macaddr")], help: "The MAC address (default: random).") var mac:
      String?
    @Option(name: [.short, .long], help: "The NIC model.") var model = "virtio"
    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.vms.addNetwork(
          domain, VMNetworkRequest(network: net, mac: mac, model: model), restart: options.restart)
        output("Network \"\(net)\" added to VM \"\(domain)\".")
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Remove the interfaces on a network, or the one with a MAC.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: RestartOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    @Argument(help: "The network.") var net: String?
    @Option(name: [.short, .customLong("mac-address")], help: "The MAC address.") var mac: String?
    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.vms.removeNetwork(domain, network: net, mac: mac, restart: options.restart)
        output("Network \"\(net ?? mac ?? "")\" removed from VM \"\(domain)\".")
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
    @Argument(help: "The VM's name or UUID.") var domain: String
    func run() async throws {
      try await withCluster(connection) { cluster in
        var table = Table(header: ["Volume", "Disk ID", "Type", "Bus"])
        table.rows = try await cluster.vms.info(domain).disks.map { [$0.name, $0.dev, $0.type, $0.bus] }
        output(table.render())
      }
    }
  }

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add a disk: an RBD volume (pool/volume) or a file.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: RestartOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    @Argument(help: "The volume.") var volume: String
    @Option(name: [.short, .customLong("disk-id")], help: "The target device (default: the next free one).") var diskID:
      String?
    @Option(name: [.short, .long], help: "The bus: scsi, ide, usb, virtio.") var bus = "scsi"
    @Option(name: [.customShort("t"), .customLong("type")], help: "rbd or file.") var type = "rbd"
    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.vms.addVolume(
          domain, VMVolumeRequest(volume: volume, type: type, diskID: diskID, bus: bus), restart: options.restart)
        output("Volume \"\(volume)\" added to VM \"\(domain)\".")
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a disk.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: RestartOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    @Argument(help: "The volume.") var volume: String
    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.vms.removeVolume(domain, volume: volume, restart: options.restart)
        output("Volume \"\(volume)\" removed from VM \"\(domain)\".")
      }
    }
  }
}
