import ArgumentParser
import PVCKit

/// `pvc vm start`.
struct VMStartCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a VM.")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The VM's name or UUID.") var domain: String
  @Flag(help: "Start a snapshot mirror too.") var force = false

  func run() async throws {
    try await withCluster(connection) { cluster in
      try await cluster.vms.start(domain, force: force)
      output(VMStateRequest.start.message(vm: domain))
    }
  }
}

/// `pvc vm stop`.
struct VMStopCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop a VM at once (pull the plug).")
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var confirmation: ConfirmationOptions
  @Argument(help: "The VM's name or UUID.") var domain: String
  @Flag(help: "Stop a snapshot mirror too.") var force = false

  func run() async throws {
    do { try confirmation.confirm("Forcibly stop VM \(domain)?") } catch { throw fail(error) }
    try await withCluster(connection) { cluster in
      try await cluster.vms.stop(domain, force: force)
      output(VMStateRequest.stop.message(vm: domain))
    }
  }
}

/// `pvc vm shutdown`.
struct VMShutdownCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "shutdown", abstract: "Shut a VM down gracefully (forced off after the shutdown timeout).")
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var confirmation: ConfirmationOptions
  @Argument(help: "The VM's name or UUID.") var domain: String
  @Flag(name: [.short, .long], help: ArgumentHelp(OperationSpec.vmSetState.help("wait"))) var wait = false

  func run() async throws {
    do { try confirmation.confirm("Shut down VM \(domain)?") } catch { throw fail(error) }
    try await withCluster(connection) { cluster in
      try await cluster.vms.shutdown(domain, wait: wait)
      output(VMStateRequest.shutdown.message(vm: domain, finished: wait))
    }
  }
}

/// `pvc vm restart`.
struct VMRestartCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart a running VM.")
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var confirmation: ConfirmationOptions
  @Argument(help: "The VM's name or UUID.") var domain: String
  @Flag(name: [.short, .long], help: ArgumentHelp(OperationSpec.vmSetState.help("wait"))) var wait = false

  func run() async throws {
    do { try confirmation.confirm("Restart VM \(domain)?") } catch { throw fail(error) }
    try await withCluster(connection) { cluster in
      try await cluster.vms.restart(domain, wait: wait)
      output(VMStateRequest.restart.message(vm: domain, finished: wait))
    }
  }
}

/// `pvc vm disable`.
struct VMDisableCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "disable", abstract: "Shut a VM down (or stop it with --force) and keep it from starting.")
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var confirmation: ConfirmationOptions
  @Argument(help: "The VM's name or UUID.") var domain: String
  @Flag(help: "Stop it at once instead of shutting it down.") var force = false

  func run() async throws {
    do { try confirmation.confirm("Disable VM \(domain)?") } catch { throw fail(error) }
    try await withCluster(connection) { cluster in
      try await cluster.vms.disable(domain, force: force)
      output(VMStateRequest.disable.message(vm: domain))
    }
  }
}
