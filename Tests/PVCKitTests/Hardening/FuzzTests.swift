import Foundation
import PVCKitFixtures
import PVCKitServer
import PropertyBased
import Testing

@testable import PVCKit
@testable import PVCKitAPI

/// Malformed and extreme values fed into every parser: domain XML, pvc.conf,
/// every ZooKeeper record type as stored data, task records, backups, layout
/// paths and API parameters. Each must either accept the value (and then keep
/// its numbers in bounds) or refuse it with its own clear error; a trap would
/// end the test process, which fails the run.
@Suite("Fuzzing the parsers")
struct FuzzTests {
  /// Values that have broken parsers elsewhere.
  static let hostile: [String] = [
    "", " ", "inf", "-inf", "+Infinity", "nan", "NaN", "-nan", "1e308", "1e309", "-1e309", "1e-400", "-0", "0x1F",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "4294967296",
    "18446744073709551616", "99999999999999999999999999", "-1", "0", "2147483648", "1.7976931348623157e308", "\u{0}",
    "\u{7f}", "a\nb", "../..", "/", ".", "..", "%00", "'; DROP TABLE x; --", "<x>", "]]>", "&amp;", "&#0;",
    "\u{FEFF}", "🙂", String(repeating: "9", count: 400), String(repeating: "[", count: 100_000),
    String(repeating: "{\"a\":", count: 5_000), "true", "True", "null", "{}", "[]", "\"\"", "{\"a\": 1e999}",
  ]

  /// A hostile value, or random text of up to 40 characters (control characters and non-ASCII included).
  static let value = zip(
    Gen.int(in: 0...(hostile.count * 2)), Gen.character(in: "\u{0}"..."\u{2ff}").string(of: 0...40)
  ).map { index, random in index < hostile.count ? hostile[index] : random }

  static let uuid = "0f5d2c6e-8a7b-4c1d-9e2f-3a4b5c6d7e8f"

  /// A domain definition with `value` placed at one of its values.
  static func definition(_ value: String, at place: Int) -> String {
    var fields = ["1024", "MiB", "2", "1", "2", "hvm", "52:54:00:aa:bb:cc", "pool/vol", "vm1", uuid]
    let text = value.replacingOccurrences(of: "'", with: "&apos;")
    fields[place % fields.count] = place >= fields.count ? value : text
    let xml = """
      <domain type='kvm'><name>\(fields[8])</name><uuid>\(fields[9])</uuid>\
      <memory unit='\(fields[1])'>\(fields[0])</memory><vcpu>\(fields[2])</vcpu>\
      <cpu><topology sockets='\(fields[3])' cores='\(fields[4])' threads='1'/></cpu>\
      <os><type arch='x86_64'>\(fields[5])</type></os><devices>\
      <interface type='bridge'><mac address='\(fields[6])'/><source bridge='vmbr100'/></interface>\
      <disk type='network'><source protocol='rbd' name='\(fields[7])'/><target dev='sda' bus='scsi'/></disk>\
      </devices></domain>
      """
    // Some inputs are cut short at a place chosen by the value's length.
    return place >= 2 * fields.count ? String(xml.prefix(value.count % xml.count)) : xml
  }

  @Test("domain definitions: every value and truncation gives a summary in bounds or a clear error")
  func domainXML() async {
    // Every hostile value at every place, then random ones.
    for value in Self.hostile { for place in 0...29 { Self.checkDefinition(value, at: place) } }
    await propertyCheck(count: 600, input: Self.value, Gen.int(in: 0...29)) { value, place in
      Self.checkDefinition(value, at: place)
    }
  }

  /// Parses a definition with `value` at `place`: a summary in bounds, or a `VMError`.
  static func checkDefinition(_ value: String, at place: Int) {
    let xml = Self.definition(value, at: place)
    do {
      let summary = try DomainXML(xml).summary
      #expect((0...DomainSummary.maximumMemoryMiB).contains(summary.memoryMiB))
      #expect((1...DomainSummary.maximumVCPUs).contains(summary.vcpus))
      // Edits of what parsed never trap either.
      _ = try? VMDeviceEdits.settingVCPUs(xml, count: 4, topology: (Int.max, 2, 2))
      _ = try? VMDeviceEdits.settingMemory(xml, mebibytes: Int.max)
      _ = try? VMDeviceEdits.addingNetwork(xml, VMNetworkRequest(network: value, mac: value))
      _ = try? VMDeviceEdits.addingVolume(xml, VMVolumeRequest(volume: value, diskID: value))
    } catch let error as VMError {
      #expect(!error.description.isEmpty)
    } catch {
      Issue.record("unexpected error type \(type(of: error)): \(error)")
    }
  }

  @Test("pvc.conf: any value at any key is read or refused naming the key")
  func configuration() async throws {
    let text = try ConfigurationTests.text()
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let scalars = lines.indices.filter { lines[$0].contains(": ") && !lines[$0].hasSuffix(":") }
    for value in Self.hostile where value.count < 1000 {
      for index in scalars.indices { Self.checkConfiguration(lines, scalars[index], value, quoted: index % 2 == 0) }
    }
    await propertyCheck(count: 400, input: Self.value, Gen.int(in: 0...(scalars.count - 1)), Gen.bool) {
      value, index, quoted in
      Self.checkConfiguration(lines, scalars[index], value, quoted: quoted)
    }
  }

  /// Parses the configuration with `value` at line `index` (a `key: value` line), quoted as YAML or as it is.
  static func checkConfiguration(_ lines: [String], _ index: Int, _ value: String, quoted: Bool) {
    var changed = lines
    let key = changed[index].prefix { $0 != ":" }
    let escaped = value.unicodeScalars.map { $0.isASCII && $0.value >= 32 ? String($0) : "\\u{\($0.value)}" }.joined()
    changed[index] =
      key + ": " + (quoted ? "\"\(escaped.replacingOccurrences(of: "\"", with: "\\\""))\"" : value)
    do {
      let configuration = try PVCConfiguration.parse(changed.joined(separator: "\n"), file: "fuzz.conf")
      #expect(configuration.timers.keepaliveInterval > 0)
      _ = FencePolicy.from(configuration)
      _ = APIServer.Settings.from(configuration)
    } catch let error as ConfigurationError {
      #expect(error.description.contains("fuzz.conf"))
    } catch {
      Issue.record("unexpected error type \(type(of: error)): \(error)")
    }
  }

  /// A record of `Key` with a hostile or random value at every key.
  static func record<Key: SchemaKey>(_: Key.Type, _ values: [String], base: String) -> Record<Key> {
    var fields: [Key: String] = [:]
    for (index, key) in Key.allCases.enumerated() { fields[key] = values[index % values.count] }
    return Record(basePath: base, values: fields)
  }

  @Test("every record type as stored data: built without trapping, counters in bounds, encodable")
  func records() async {
    for value in Self.hostile { Self.checkRecords([value]) }
    await propertyCheck(count: 500, input: Self.value.array(of: 1...12)) { values in Self.checkRecords(values) }
  }

  /// Builds every kind of record from `values`: numbers in bounds, every result encodable.
  static func checkRecords(_ values: [String]) {
    var problems: [RecordProblem] = []
    let node = NodeInfo(name: "hv1", record: Self.record(NodeKey.self, values, base: "/nodes/hv1"), problems: &problems)
    for count in [node.memory.total, node.memory.used, node.memory.free, node.vcpu.allocated, node.domainsCount] {
      #expect((0...CheckedNumbers.maximumMagnitude).contains(count))
    }
    #expect(node.load.isFinite && (node.health.map { (0...100).contains($0) } ?? true))
    let plugin = Self.record(MonitoringPluginKey.self, values, base: "/nodes/hv1/monitoring_data/x")
    _ = NodeInfo.HealthDetail(name: "x", record: plugin, problems: &problems)
    let vm = VMInfo(
      uuid: Self.uuid, record: Self.record(DomainKey.self, values, base: "/domains/\(Self.uuid)"), tags: [],
      snapshots: [], problems: &problems)
    #expect(vm.memory >= 0 && vm.vcpu >= 0)
    let snapshot = VMSnapshot(
      snapshot: "s", record: Self.record(DomainSnapshotKey.self, values, base: "/s"), now: Date().timeIntervalSince1970)
    let fault = Fault(id: "x", record: Self.record(FaultKey.self, values, base: "/faults/x"))
    _ = ClusterStatusReader.health(from: [fault, fault])
    _ = ClusterStatusReader.resources(
      nodes: [
        Self.record(NodeKey.self, values, base: "/nodes/a"), Self.record(NodeKey.self, values.reversed(), base: "/b"),
      ],
      osds: [Self.record(OSDKey.self, values, base: "/ceph/osds/1")])
    _ = FaultChecks.evaluate(nodes: [node, node], vms: [])
    _ = ([Self.record(NodeKey.self, values, base: "/n")].flatMap(\.problems))
    let encoder = UpstreamJSON.encoder()
    #expect(throws: Never.self) { _ = try encoder.encode(node) }
    #expect(throws: Never.self) { _ = try encoder.encode(vm) }
    #expect(throws: Never.self) { _ = try encoder.encode(snapshot) }
  }

  @Test("task records and backups: hostile JSON is refused with a clear error")
  func documents() async {
    await propertyCheck(count: 400, input: Self.value, Gen.int(in: 0...9)) { value, place in
      let escaped = String(
        data: try! JSONSerialization.data(withJSONObject: value, options: .fragmentsAllowed), encoding: .utf8)!
      var fields = [#""t1""#, #""vm.migrate""#, #""hv1""#, "{}", #""queued""#, "0", "1", #""""#, "0", "0"]
      fields[place] = place % 2 == 0 ? escaped : value
      let task = """
        {"id":\(fields[0]),"name":\(fields[1]),"run_on":\(fields[2]),"arguments":\(fields[3]),"state":\(fields[4]),\
        "current":\(fields[5]),"total":\(fields[6]),"status":\(fields[7]),"created":\(fields[8]),"updated":\(fields[9])}
        """
      _ = try? DirectTaskOperations.decode(Array(task.utf8))
      _ = try? ClusterBackup(json: Data(value.utf8))
      _ = try? ClusterBackup(
        json: Data(#"{"/schema/version": "15", "/nodes/\#(escaped.dropFirst().dropLast())": "x"}"#.utf8))
      _ = try? JSONDecoder().decode(JSONValue.self, from: Data(value.utf8))
    }
  }

  @Test("backups and layout paths: every bad name or value is named before anything is written")
  func layoutValues() async {
    let paths = [
      "/schema/version", "/config/maintenance", "/nodes/hv1/memtotal", "/nodes/hv1/cpuload", "/nodes/hv1/keepalive",
      "/nodes/hv1/monitoring_health", "/nodes/hv1/monitoring_data/disk/last_run", "/domains/\(Self.uuid)/xml",
      "/domains/\(Self.uuid)/state", "/domains/\(Self.uuid)/node_autostart", "/domains/\(Self.uuid)/tags/web/protected",
      "/faults/X/delta", "/ceph/volumes/pool/vol/stats", "/nodes/NAME/daemonstate", "/domains/NAME",
      "/faults/NAME", "/ceph/snapshots/NAME/v/s",
    ]
    await propertyCheck(count: 500, input: Self.value, Gen.int(in: 0...(paths.count - 1))) { value, index in
      let path = paths[index].replacingOccurrences(of: "NAME", with: value)
      let problem = LayoutCheck.problem(path: path, value: value)
      if let problem { #expect(!problem.isEmpty) }
      var backup = ClusterBackup(entries: ["/schema/version": "15"])
      backup.entries[path] = value
      if problem != nil { #expect(throws: ClusterError.self) { try backup.check() } }
    }
  }

  @Test("API parameters: raw query strings and every parameter kind, checked without trapping")
  func apiParameters() async {
    let specs: [OperationParameter] = [
      .string("s", ""), .boolean("b", ""), .integer("i", 1...3_600_000, ""), .choice("c", ["a", "b"], ""),
      .text("t", ""),
    ]
    await propertyCheck(count: 500, input: Self.value, Self.value) { name, value in
      let query = "\(name)=\(value)&s=\(value)&i=\(value)&%\(value)=%%&b=\(value)"
      let parameters = RequestParameters(query: query, form: value)
      if let checked = try? ValidatedParameters(parameters, against: specs) {
        #expect(checked.int("i").map { (1...3_600_000).contains($0) } ?? true)
      }
      for spec in specs { _ = spec.problem(with: value) }
      _ = OperationParameter.shown(value)
    }
  }

  @Test("VM statistics: the fast reader gives the decoder's result, and refuses what it refuses at the top level")
  func statistics() async {
    await propertyCheck(
      count: 500, input: Gen.int(in: -1_000_000...1_000_000_000_000_000).array(of: 21...21), Self.value,
      Gen.int(in: 0...30)
    ) { numbers, value, place in
      var tokens = numbers.map(String.init)
      if place < tokens.count { tokens[place] = value }
      let text = """
        {"state": "running", "maxmem": \(tokens[0]), "livemem": \(tokens[1]), "cpus": \(tokens[2]), \
        "cputime": \(tokens[3]), "mem_stats": {"actual": \(tokens[4]), "rss": \(tokens[5])}, \
        "cpu_stats": {"cpu_time": \(tokens[6]), "user_time": \(tokens[7])}, "disk_stats": [{"name": "vms/x_sda", \
        "rd_req": \(tokens[8]), "rd_bytes": \(tokens[9]), "wr_req": \(tokens[10]), "wr_bytes": \(tokens[11]), \
        "err": \(tokens[12])}], "net_stats": [{"name": "vnet0", "bridge": "vmbr1", "rd_bytes": \(tokens[13]), \
        "rd_packets": \(tokens[14]), "rd_errors": \(tokens[15]), "rd_drops": \(tokens[16]), "wr_bytes": \(tokens[17]), \
        "wr_packets": \(tokens[18]), "wr_errors": \(tokens[19]), "wr_drops": \(tokens[20])}]}
        """
      let decoded = try? UpstreamJSON.decoder.decode(VMStatistics.self, from: Data(text.utf8))
      let fast = try? VMStatistics(storedJSON: text)
      if place >= tokens.count {
        #expect(decoded != nil && fast == decoded)
      } else if let decoded, let fast {
        #expect(fast == decoded, "\(value) at \(place)")
      } else if place < 4, decoded == nil, !value.isEmpty {
        #expect(fast == nil, "\(value) at \(place) is refused by the decoder")
      }
    }
  }

  @Test("JSON: PVCKit's parser reads what JSONSerialization writes, and refuses hostile text without trapping")
  func json() async throws {
    for text in Self.hostile + [
      "{\"a\":[1,2.5,-3e2,true,null,\"\\u00e9\\ud83d\\ude42\"]}", "[01]", "[1,]", "{\"a\" 1}",
    ] {
      _ = try? JSONValue(parsing: text)
    }
    #expect(
      try JSONValue(parsing: "[1, 2.5, \"\\u00e9\\ud83d\\ude42\", null]")
        == .array([.integer(1), .number(2.5), .string("é🙂"), .null]))
    for bad in ["[01]", "[1,]", "{\"a\" 1}", "nan", "1e999", "\"\\ud800\"", "[", "\"a\u{1}\"", "{} x"] {
      #expect(throws: JSONValue.ParseError.self, "\(bad)") { try JSONValue(parsing: bad) }
    }
    await propertyCheck(count: 400, input: Self.value, Gen.int(in: -1_000_000_000...1_000_000_000)) { value, number in
      let object: [String: Any] = ["name": value, "list": [value, number, true, NSNull()], "n": number]
      let data = try! JSONSerialization.data(withJSONObject: object)
      let parsed = try? JSONValue(parsing: String(decoding: data, as: UTF8.self))
      #expect(
        parsed
          == .object([
            "name": .string(value), "list": .array([.string(value), .integer(number), .bool(true), .null]),
            "n": .integer(number),
          ]), "\(value)")
    }
  }

  @Test("DNS: any name, type, content and TTL is put in PowerDNS's form or refused; pdns.conf cannot be injected")
  func dns() async {
    func check(_ name: String, _ type: DNSRecordType, _ content: String, ttl: Int?) {
      let record: DNSRecord
      do {
        record = try DNSRules.record(.init(name: name, type: type, content: content, ttl: ttl), in: "fuzz.test")
      } catch {
        return  // refused, with a DNSError (typed throws)
      }
      #expect(record.name == "fuzz.test" || record.name.hasSuffix(".fuzz.test"), "\(name)")
      #expect(record.name.utf8.count <= 253 && (0...DNSRules.maximumTTL).contains(record.ttl))
      #expect(
        record.content.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "\(type) \(content.debugDescription)")
    }
    for value in Self.hostile {
      for type in DNSRecordType.allCases {
        check(value, type, "10.0.0.1", ttl: nil)
        check("www", type, value, ttl: Int(value))
      }
    }
    await propertyCheck(count: 600, input: Self.value, Self.value, Gen.int(in: 0...(DNSRecordType.allCases.count - 1)))
    { name, content, index in
      check(name, DNSRecordType.allCases[index], content, ttl: nil)
      check("a.\(name)", DNSRecordType.allCases[index], "\(content).fuzz.test", ttl: name.count)
    }
    // PowerDNS's configuration: a hostile value is refused, or it stays on its own line.
    let plain = PowerDNSServer.Settings(
      member: "127.0.0.1:3306", database: "pvcdns", user: "pvc", password: "secret", addresses: ["127.0.0.1"], port: 53,
      transferNetworks: [])
    let lineCount = ((try? PowerDNSServer.configuration(plain, directory: "/run/pdns")) ?? "").split(
      separator: "\n", omittingEmptySubsequences: false
    ).count
    #expect(lineCount > 20)
    await propertyCheck(count: 300, input: Self.value, Gen.int(in: 0...3)) { value, place in
      var fields = ["127.0.0.1:3306", "pvcdns", "pvc", "secret"]
      fields[place] = place == 0 ? "\(value):3306" : value
      let settings = PowerDNSServer.Settings(
        member: fields[0], database: fields[1], user: fields[2], password: fields[3], addresses: ["127.0.0.1"],
        port: 53, transferNetworks: [])
      guard let text = try? PowerDNSServer.configuration(settings, directory: "/run/pdns") else { return }
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      #expect(lines.count == lineCount && !text.contains("\r"), "\(value.debugDescription)")
    }
  }
}
