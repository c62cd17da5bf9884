import ArgumentParser
import PVCKit

/// `pvc storage osd`.
struct StorageOSDCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "osd", abstract: "Manage the OSDs.",
    subcommands: [
      List.self, Add.self, Replace.self, Refresh.self, Remove.self, In.self, Out.self, Set.self, Unset.self,
      StorageCreateDatabaseVGCommand.self,
    ])

  struct Replace: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Move an OSD to a new block device of its node, keeping its ID (the new device's data is lost).")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The OSD's ID.") var osdid: String
    @Argument(help: ArgumentHelp(OperationSpec.storageOSDReplace.help("new_device"))) var newDevice: String
    @Option(
      name: [.customShort("o"), .customLong("old-device")],
      help: ArgumentHelp(OperationSpec.storageOSDReplace.help("old_device")))
    var oldDevice: String?
    @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.storageOSDReplace.help("weight"))) var weight:
      Double?
    @Option(name: [.customShort("r"), .customLong("ext-db-ratio")], help: "Not supported (needs LVM).") var extDBRatio:
      String?
    @Option(name: [.customShort("s"), .customLong("ext-db-size")], help: "Not supported (needs LVM).") var extDBSize:
      String?
    @Flag(inversion: .prefixedNo, help: "Wait for the OSD to be up again.") var wait = true

    func run() async throws {
      guard extDBRatio == nil, extDBSize == nil else {
        throw fail(CLIError("external database volumes need LVM: not supported"))
      }
      do { try confirmation.confirm("Move OSD \(osdid) to \(newDevice), erasing it?") } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        output(try await cluster.storage.replaceOSD(.init(id: osdid, newDevice: newDevice, weight: weight), wait: wait))
      }
    }
  }

  struct Refresh: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Import an OSD from a device of its node again (after the node was reinstalled).")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The OSD's ID.") var osdid: String
    @Argument(help: ArgumentHelp(OperationSpec.storageOSDRefresh.help("device"))) var device: String
    @Flag(inversion: .prefixedNo, help: "Wait for the OSD to be up.") var wait = true

    func run() async throws {
      do { try confirmation.confirm("Import OSD \(osdid) from \(device) again?") } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        output(try await cluster.storage.refreshOSD(.init(id: osdid, device: device), wait: wait))
      }
    }
  }

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Make an OSD on a node's block device (ceph-volume; the device's data is lost).")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The node.") var node: String
    @Argument(help: ArgumentHelp(OperationSpec.storageOSDAdd.help("device"))) var device: String
    @Option(name: [.short, .long], help: ArgumentHelp(OperationSpec.storageOSDAdd.help("weight"))) var weight: Double?
    @Option(name: [.customShort("r"), .customLong("ext-db-ratio")], help: "Not supported (needs LVM).") var extDBRatio:
      Double?
    @Option(name: [.customShort("s"), .customLong("ext-db-size")], help: "Not supported (needs LVM).") var extDBSize:
      String?
    @Option(name: [.customShort("c"), .customLong("osd-count")], help: "OSDs on the device (only 1).") var osdCount = 1
    @Flag(inversion: .prefixedNo, help: "Wait for the OSD to be up.") var wait = true

    func run() async throws {
      guard extDBRatio == nil, extDBSize == nil, osdCount == 1 else {
        throw fail(CLIError("external database volumes and several OSDs per device need LVM: not supported"))
      }
      do { try confirmation.confirm("Make an OSD on \(device) of node \(node), erasing it?") } catch {
        throw fail(error)
      }
      try await withCluster(connection) { cluster in
        output(try await cluster.storage.addOSD(.init(node: node, device: device, weight: weight), wait: wait))
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Remove an OSD: out, emptied, stopped, purged from Ceph, its device wiped.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The OSD's ID.") var osdid: String
    @Flag(name: [.short, .long], help: ArgumentHelp(OperationSpec.storageOSDRemove.help("force"))) var force = false
    @Flag(inversion: .prefixedNo, help: "Wait for the removal to finish.") var wait = true

    func run() async throws {
      do { try confirmation.confirm("Remove OSD \(osdid)? Its data moves to the other OSDs first.") } catch {
        throw fail(error)
      }
      try await withCluster(connection) { cluster in
        output(try await cluster.storage.removeOSD(.init(id: osdid, force: force), wait: wait))
      }
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List OSDs.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp(OperationSpec.storageOSDList.help("limit"))) var limit: String?
    @Option(name: [.short, .long], help: "Output format: pretty, raw, json or json-pretty.") var format: ListFormat =
      .pretty

    func run() async throws {
      try await withCluster(connection) { cluster in
        let osds = try await cluster.storage.osds(limit: limit)
        guard !osds.isEmpty else { throw CLIError("OSD not found.", kind: .notFound) }
        switch format {
        case .json, .jsonPretty: try printJSON(osds, pretty: format == .jsonPretty)
        case .raw: output(osds.map(\.id).joined(separator: "\n"))
        case .pretty:
          var table = Table(header: ["ID", "Node", "Device", "Up", "In", "Size", "PGs", "Used", "Free", "Util %"])
          for osd in osds {
            table.rows.append([
              osd.id, osd.node, osd.device, osd.isUp ? "Yes" : "No", osd.isIn ? "Yes" : "No",
              StorageRules.human(UInt64(max(0, osd.stat("kb"))) * 1024), String(osd.stat("pgs")),
              osd.statText("used") ?? "N/A", osd.statText("avail") ?? "N/A", String(osd.stat("utilization")),
            ])
          }
          output(table.render())
        }
      }
    }
  }

  struct In: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "in", abstract: "Take an OSD in (it holds data).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The OSD's ID.") var osdid: String

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.storage.setOSDState(osdid, .in)
        output("Set OSD \(osdid) in.")
      }
    }
  }

  struct Out: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "out", abstract: "Take an OSD out (its data moves to the others).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The OSD's ID.") var osdid: String

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.storage.setOSDState(osdid, .out)
        output("Set OSD \(osdid) out.")
      }
    }
  }

  struct Set: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set", abstract: "Set a cluster-wide OSD flag.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp(OperationSpec.storageOption.help("option"))) var property: String

    func run() async throws { try await setOSDFlag(connection, property, true) }
  }

  struct Unset: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unset", abstract: "Clear a cluster-wide OSD flag.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp(OperationSpec.storageOption.help("option"))) var property: String

    func run() async throws { try await setOSDFlag(connection, property, false) }
  }

}

extension AsyncParsableCommand {
  /// `pvc storage osd set|unset`.
  func setOSDFlag(_ connection: ConnectionOptions, _ property: String, _ enabled: Bool) async throws {
    guard let flag = OSDFlag(rawValue: property) else {
      throw CLIError(
        "'\(property)' is not an OSD flag: \(OSDFlag.allCases.map(\.rawValue).joined(separator: ", "))", kind: .invalid)
    }
    try await withCluster(connection) { cluster in
      try await cluster.storage.setOSDFlag(flag, enabled)
      output("\(enabled ? "Set" : "Unset") OSD flag \(property).")
    }
  }
}

/// `pvc storage osd create-db-vg` (also `pvc storage create-db-vg`, as upstream).
struct StorageCreateDatabaseVGCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "create-db-vg",
    abstract: "Make the volume group osd-db on a node's device, for OSDs' external databases (needs LVM).")
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var confirmation: ConfirmationOptions
  @Argument(help: "The node.") var node: String
  @Argument(help: ArgumentHelp(OperationSpec.storageOSDDatabaseVG.help("device"))) var device: String
  @Flag(inversion: .prefixedNo, help: "Wait for it to be made.") var wait = true

  func run() async throws {
    do { try confirmation.confirm("Make volume group osd-db on \(device) of node \(node), erasing it?") } catch {
      throw fail(error)
    }
    try await withCluster(connection) { cluster in
      output(try await cluster.storage.createDatabaseVolumeGroup(.init(node: node, device: device), wait: wait))
    }
  }
}
