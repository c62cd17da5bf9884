import ArgumentParser
import PVCKit

/// `pvc dns` (a PVCKit extension): the cluster's DNS zones and records. Top level rather than under
/// `pvc network`: zones are the cluster's (an administrator's zones belong to no network), and upstream's tree
/// has no `dns` to clash with.
struct DNSCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dns", abstract: "Manage the cluster's DNS zones and records (served by PowerDNS on the primary).",
    subcommands: [DNSZoneCommand.self, DNSRecordCommand.self])
}

/// `pvc dns zone`.
struct DNSZoneCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "zone", abstract: "List, add and remove DNS zones.", subcommands: [List.self, Add.self, Remove.self])

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List DNS zones.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp(OperationSpec.dnsZoneList.help("limit"))) var limit: String?
    @Option(name: [.short, .long], help: "Output format: pretty, json or json-pretty.") var format: ReportFormat =
      .pretty

    func run() async throws {
      try await withCluster(connection) { cluster in
        let zones = try await cluster.dns.zones(limit: limit)
        switch format {
        case .json, .jsonPretty: try printJSON(zones, pretty: format == .jsonPretty)
        case .pretty:
          var table = Table(header: ["Zone", "Kept by", "Network", "Serial", "Records"])
          for zone in zones {
            table.rows.append([
              zone.name, zone.source.rawValue, zone.network.map(String.init) ?? "", String(zone.serial),
              String(zone.records),
            ])
          }
          output(table.render())
        }
      }
    }
  }

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add a DNS zone with its SOA and NS records.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp(OperationSpec.dnsZoneAdd.help("zone"))) var zone: String
    @Option(
      name: [.customShort("n"), .customLong("nameserver")],
      help: ArgumentHelp(OperationSpec.dnsZoneAdd.help("nameserver")))
    var nameservers: [String] = []
    @Option(name: .long, help: ArgumentHelp(OperationSpec.dnsZoneAdd.help("contact"))) var contact: String?

    func run() async throws {
      try await withCluster(connection) { cluster in
        try await cluster.dns.addZone(
          zone, nameservers: nameservers.isEmpty ? ["ns1.\(zone)"] : nameservers, contact: contact)
        output("Added zone \(zone).")
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a DNS zone and all its records.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The zone.") var zone: String

    func run() async throws {
      do {
        try confirmation.confirm("Remove zone \(zone) and all its records?")
      } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        try await cluster.dns.removeZone(zone)
        output("Removed zone \(zone).")
      }
    }
  }
}

/// `pvc dns record`.
struct DNSRecordCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "record", abstract: "List, add, change and remove the records of a DNS zone.",
    subcommands: [List.self, Add.self, Modify.self, Remove.self])

  /// A record's options, helped from the operation's parameters.
  struct RecordOptions: ParsableArguments {
    @Argument(help: ArgumentHelp(OperationSpec.dnsRecordAdd.help("name"))) var name: String
    @Argument(help: ArgumentHelp(OperationSpec.dnsRecordAdd.help("type"))) var type: String
    @Argument(help: ArgumentHelp(OperationSpec.dnsRecordAdd.help("content"))) var content: String
    @Option(name: .long, help: ArgumentHelp(OperationSpec.dnsRecordAdd.help("ttl"))) var ttl: Int?
    @Option(name: .long, help: ArgumentHelp(OperationSpec.dnsRecordAdd.help("priority"))) var priority: Int?

    func request() throws -> DNSRecordRequest {
      guard let type = DNSRecordType(rawValue: type.uppercased()), type != .soa else {
        throw CLIError(
          "'\(type)' is not a record type (\(DNSRecordType.writable.map(\.rawValue).joined(separator: ", ")))",
          kind: .invalid)
      }
      return DNSRecordRequest(name: name, type: type, content: content, ttl: ttl, priority: priority)
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List a zone's records.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The zone.") var zone: String
    @Option(name: .long, help: ArgumentHelp(OperationSpec.dnsRecordList.help("name"))) var name: String?
    @Option(name: .long, help: ArgumentHelp(OperationSpec.dnsRecordList.help("type"))) var type: String?
    @Option(name: [.short, .long], help: "Output format: pretty, json or json-pretty.") var format: ReportFormat =
      .pretty

    func run() async throws {
      let kind: DNSRecordType?
      if let type {
        guard let parsed = DNSRecordType(rawValue: type.uppercased()) else {
          throw fail(CLIError("'\(type)' is not a record type", kind: .invalid))
        }
        kind = parsed
      } else {
        kind = nil
      }
      try await withCluster(connection) { cluster in
        let records = try await cluster.dns.records(zone: zone, name: name, type: kind)
        switch format {
        case .json, .jsonPretty: try printJSON(records, pretty: format == .jsonPretty)
        case .pretty:
          var table = Table(header: ["ID", "Name", "Type", "TTL", "Priority", "Content", "Kept by"])
          for record in records {
            table.rows.append([
              String(record.id), record.name, record.type.rawValue, String(record.ttl),
              record.priority.map(String.init) ?? "", record.content, record.source.rawValue,
            ])
          }
          output(table.render())
        }
      }
    }
  }

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add a record to a zone.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The zone.") var zone: String
    @OptionGroup var record: RecordOptions

    func run() async throws {
      let request: DNSRecordRequest
      do { request = try record.request() } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        let added = try await cluster.dns.addRecord(request, zone: zone)
        output("Added record \(added.id): \(added.name) \(added.type.rawValue) \(added.content).")
      }
    }
  }

  struct Modify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Change a record (by its ID) of a zone.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The zone.") var zone: String
    @Argument(help: "The record's ID (see 'pvc dns record list').") var id: Int
    @OptionGroup var record: RecordOptions

    func run() async throws {
      let request: DNSRecordRequest
      do { request = try record.request() } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        let changed = try await cluster.dns.modifyRecord(id, zone: zone, to: request)
        output("Changed record \(changed.id): \(changed.name) \(changed.type.rawValue) \(changed.content).")
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a record (by its ID) from a zone.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var confirmation: ConfirmationOptions
    @Argument(help: "The zone.") var zone: String
    @Argument(help: "The record's ID (see 'pvc dns record list').") var id: Int

    func run() async throws {
      do {
        try confirmation.confirm("Remove record \(id) from zone \(zone)?")
      } catch { throw fail(error) }
      try await withCluster(connection) { cluster in
        try await cluster.dns.removeRecord(id, zone: zone)
        output("Removed record \(id) from zone \(zone).")
      }
    }
  }
}
