import ArgumentParser
import PVCKit

/// `pvc provisioner create NAME PROFILE`: a VM made from a profile by a task on the primary, followed until
/// it ends (unless `--no-wait`).
struct ProvisionerCreateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "create", abstract: "Create a VM from a profile (a task on the primary).")
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: ArgumentHelp(OperationSpec.provisionerCreate.help("name"))) var name: String
  @Argument(help: ArgumentHelp(OperationSpec.provisionerCreate.help("profile"))) var profile: String
  @Option(
    name: [.customShort("a"), .customLong("script-arg")],
    help: ArgumentHelp(OperationSpec.provisionerCreate.help("arg")))
  var arguments: [String] = []
  @Flag(name: [.customShort("d"), .customLong("define")], help: "Define the VM (the default).") var define = false
  @Flag(name: [.customShort("D"), .customLong("no-define")], help: "Run the script's phases without defining a VM.")
  var noDefine = false
  @Flag(name: [.customShort("s"), .customLong("start")], help: "Start the VM at the end (the default).") var start =
    false
  @Flag(name: [.customShort("S"), .customLong("no-start")], help: "Leave the VM stopped.") var noStart = false
  @Flag(name: .customLong("wait"), help: "Follow the task until it ends (the default).") var wait = false
  @Flag(name: .customLong("no-wait"), help: "Only queue the task.") var noWait = false

  func run() async throws {
    let request = ProvisionerCreateTask.Arguments(
      name: name, profile: profile, define: !noDefine, start: !noStart, arguments: arguments)
    let follow = !noWait
    try await withCluster(connection) { cluster in
      let task = try await cluster.provisioner.create(request)
      guard follow else {
        output("Provisioning of VM \"\(name)\" queued as task \(task.id) on \(task.runOn).")
        return
      }
      try await followTask(task, cluster)
    }
  }
}
