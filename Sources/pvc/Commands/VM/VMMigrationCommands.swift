import ArgumentParser
import PVCKit

/// `pvc vm migrate`.
struct VMMigrateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "migrate", abstract: "Migrate a VM to another node temporarily (it remembers where it was).")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The VM's name or UUID.") var domain: String
  @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.vmSetNode.help("node"))) var target: String?
  @Flag(name: [.short, .long], help: ArgumentHelp(OperationSpec.vmSetNode.help("force"))) var force = false
  @Flag(name: [.short, .long], help: ArgumentHelp(OperationSpec.vmSetNode.help("wait"))) var wait = false
  @Flag(help: ArgumentHelp(OperationSpec.vmSetNode.help("force_live"))) var forceLive = false

  func run() async throws {
    try await withCluster(connection) { cluster in
      let outcome = try await Progress.spinning(wait ? "Migrating VM \(domain)" : "") {
        try await cluster.vms.migrate(domain, to: target, force: force, forceLive: forceLive, wait: wait)
      }
      output(outcome.message(vm: domain, action: .migrate, finished: wait))
    }
  }
}

/// `pvc vm unmigrate`.
struct VMUnmigrateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "unmigrate", abstract: "Return a migrated VM to the node it came from.")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The VM's name or UUID.") var domain: String
  @Flag(name: [.short, .long], help: ArgumentHelp(OperationSpec.vmSetNode.help("wait"))) var wait = false
  @Flag(help: ArgumentHelp(OperationSpec.vmSetNode.help("force_live"))) var forceLive = false

  func run() async throws {
    try await withCluster(connection) { cluster in
      let outcome = try await Progress.spinning(wait ? "Returning VM \(domain)" : "") {
        try await cluster.vms.unmigrate(domain, forceLive: forceLive, wait: wait)
      }
      output(outcome.message(vm: domain, action: .unmigrate, finished: wait))
    }
  }
}

/// `pvc vm move`.
struct VMMoveCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "move", abstract: "Move a VM to another node permanently (forgetting any previous node).")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The VM's name or UUID.") var domain: String
  @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.vmSetNode.help("node"))) var target: String?
  @Flag(name: [.short, .long], help: ArgumentHelp(OperationSpec.vmSetNode.help("wait"))) var wait = false
  @Flag(help: ArgumentHelp(OperationSpec.vmSetNode.help("force_live"))) var forceLive = false

  func run() async throws {
    try await withCluster(connection) { cluster in
      let outcome = try await Progress.spinning(wait ? "Moving VM \(domain)" : "") {
        try await cluster.vms.move(domain, to: target, forceLive: forceLive, wait: wait)
      }
      output(outcome.message(vm: domain, action: .move, finished: wait))
    }
  }
}
