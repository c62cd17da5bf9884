import ArgumentParser
import PVCKit

/// `pvc vm list`.
struct VMListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "List VMs.",
    discussion:
      "LIMIT is a name pattern (a regular expression, matched anywhere unless anchored with ^ or $) or a UUID.")

  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "Only VMs whose name matches this pattern, or with this UUID.") var limit: String?
  @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.vmList.help("node"))) var target: String?
  @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.vmList.help("state"))) var state: String?
  @Option(name: [.customShort("g"), .long], help: ArgumentHelp(OperationSpec.vmList.help("tag"))) var tag: String?
  @Flag(name: [.short, .long], help: ArgumentHelp(OperationSpec.vmList.help("negate"))) var negate = false
  @Option(name: [.short, .long], help: "Output format: pretty, raw, json or json-pretty.") var format: ListFormat =
    .pretty

  func run() async throws {
    try await withCluster(connection) { cluster in
      let vms = try await cluster.vms.list(
        VMFilter(limit: limit, node: target, state: state.map { VMState(rawValue: $0) }, tag: tag, negate: negate))
      guard !vms.isEmpty else { throw CLIError("VM not found.", kind: .notFound) }
      switch format {
      case .json, .jsonPretty: try printJSON(vms, pretty: format == .jsonPretty)
      case .raw: output(vms.map(\.name).joined(separator: "\n"))
      case .pretty: output(Self.table(vms).render())
      }
    }
  }

  static func table(_ vms: [VMInfo]) -> Table {
    var table = Table(header: [
      "Name", "State", "Tags", "Snapshots", "Networks", "RAM (M)", "vCPUs", "Current", "Migrated",
    ])
    let colour = table.colour
    for vm in vms {
      table.rows.append([
        vm.name, Terminal.paint(vm.state.rawValue, StateColour.vm(vm.state), colour),
        vm.tags.isEmpty ? "N/A" : vm.tags.map(\.name).sorted().joined(separator: ","), String(vm.snapshots.count),
        vm.networks.isEmpty ? "N/A" : vm.networks.map(\.vni).joined(separator: ","), String(vm.memory), String(vm.vcpu),
        vm.node, vm.migrated,
      ])
    }
    return table
  }
}

/// `pvc vm info`.
struct VMInfoCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a VM's details.")

  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The VM's name or UUID.") var domain: String
  @Option(name: [.short, .long], help: "Output format: pretty, long, json or json-pretty.") var format: InfoFormat =
    .pretty

  func run() async throws {
    try await withCluster(connection) { cluster in
      let vm = try await cluster.vms.info(domain)
      switch format {
      case .json, .jsonPretty: try printJSON(vm, pretty: format == .jsonPretty)
      case .pretty, .long: output(Self.text(vm, long: format == .long))
      }
    }
  }

  static func text(_ vm: VMInfo, long: Bool) -> String {
    func field(_ label: String, _ value: String) -> String {
      (label + ":").padding(toLength: 20, withPad: " ", startingAt: 0) + value
    }
    var lines = [
      Terminal.paint("Virtual machine information:", "1", Terminal.colour), "", field("Name", vm.name),
      field("UUID", vm.uuid), field("Description", vm.description), field("Profile", vm.profile),
      field("Memory (M)", String(vm.memory)), field("vCPUs", String(vm.vcpu)),
    ]
    if long { lines.append(field("Topology (S/C/T)", vm.vcpuTopology)) }
    if long || (vm.vnc.listen != nil && vm.vnc.port != nil) {
      lines += ["", field("VNC listen", vm.vnc.listen ?? "N/A"), field("VNC port", vm.vnc.port ?? "N/A")]
    }
    if long {
      lines += [
        "", field("Emulator", vm.emulator), field("Type", vm.type), field("Arch", vm.arch),
        field("Machine", vm.machine),
        field("Features", vm.features.joined(separator: " ")),
      ]
    }
    lines += [
      "", field("State", Terminal.paint(vm.state.rawValue, StateColour.vm(vm.state), Terminal.colour)),
      field("Current node", vm.node), field("Previous node", vm.lastNode.isEmpty ? "N/A" : vm.lastNode),
    ]
    if !vm.failedReason.isEmpty { lines += ["", field("Failure reason", vm.failedReason)] }
    lines += [
      field("Node limit", vm.nodeLimit?.joined(separator: ", ") ?? "Any"),
      field("Autostart", vm.nodeAutostart ? "True" : "False"),
      field("Migration method", vm.migrationMethod.map { $0.capitalized + " only" } ?? "Live, Shutdown"),
      field("Migration selector", vm.nodeSelector?.capitalized ?? "Default"),
      field("Max live downtime", "\(vm.migrationMaxDowntime) ms"),
      field(
        "Tags",
        vm.tags.isEmpty ? "N/A" : vm.tags.map { $0.name + ($0.protected ? " (protected)" : "") }.joined(separator: ", ")
      ),
      field("Snapshots", vm.snapshots.isEmpty ? "N/A" : vm.snapshots.map(\.name).joined(separator: ", ")),
      field("Networks", vm.networks.isEmpty ? "N/A" : vm.networks.map(\.vni).joined(separator: ", ")),
    ]
    if long {
      var disks = Table(header: ["ID", "Type", "Name", "Dev", "Bus", "Requests (r/w)", "Data (r/w)"])
      for (index, disk) in vm.disks.enumerated() {
        disks.rows.append([
          String(index), disk.type, disk.name, disk.dev, disk.bus, "\(disk.rdReq)/\(disk.wrReq)",
          "\(disk.rdBytes)/\(disk.wrBytes)",
        ])
      }
      var nics = Table(header: ["ID", "Type", "Source", "Model", "MAC", "Data (r/w)", "Packets (r/w)", "Errors (r/w)"])
      for (index, nic) in vm.networks.enumerated() {
        nics.rows.append([
          String(index), nic.type, nic.source, nic.model, nic.mac, "\(nic.rdBytes)/\(nic.wrBytes)",
          "\(nic.rdPackets)/\(nic.wrPackets)", "\(nic.rdErrors)/\(nic.wrErrors)",
        ])
      }
      lines += ["", "Disks:", disks.render(), "", "Interfaces:", nics.render()]
    }
    return lines.joined(separator: "\n")
  }
}
