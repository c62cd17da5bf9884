import ArgumentParser
import PVCKit

/// `pvc vm flush-locks`: frees a stopped VM's stale RBD locks (a task on its node).
struct VMFlushLocksCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "flush-locks", abstract: "Free the stale RBD locks of a stopped VM.")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The VM's name or UUID.") var domain: String
  @OptionGroup var waiting: TaskWaiting

  func run() async throws {
    try await withCluster(connection) { cluster in
      try await follow(try await cluster.vms.flushLocks(domain), waiting, cluster)
    }
  }
}

/// `pvc vm device`: hot-plug of any device by its libvirt XML (upstream's `/vm/{vm}/device`; a PVCKit command,
/// upstream's CLI only hot-plugs through `vm network` and `vm volume`).
struct VMDeviceCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "device", abstract: "Hot-attach or hot-detach a device by its libvirt XML.",
    subcommands: [Attach.self, Detach.self])

  struct Attach: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Attach a device to a VM (plugged in if it runs) and add it to the definition.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    @Argument(help: "A file with the device's XML, or - for standard input.") var xml: String
    @OptionGroup var waiting: TaskWaiting

    func run() async throws {
      let device: String
      do { device = try readInput(xml) } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        try await follow(try await cluster.vms.attachDevice(domain, xml: device), waiting, cluster)
      }
    }
  }

  struct Detach: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Detach a device (a disk by target, a NIC by MAC) and remove it from the definition.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The VM's name or UUID.") var domain: String
    @Argument(help: "A file with the device's XML, or - for standard input.") var xml: String
    @OptionGroup var waiting: TaskWaiting
    @OptionGroup var confirmation: ConfirmationOptions

    func run() async throws {
      let device: String
      do { device = try readInput(xml) } catch { throw fail(error) }
      try confirmation.confirm("Detach this device from VM \(domain)?")
      try await withCluster(connection) { cluster in
        try await follow(try await cluster.vms.detachDevice(domain, xml: device), waiting, cluster)
      }
    }
  }
}
