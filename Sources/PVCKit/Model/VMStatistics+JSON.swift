extension VMStatistics {
  /// Reads statistics as a node daemon stores them, with `JSONDecoder`'s
  /// result for anything a node writes, several times quicker (listings read
  /// a thousand at a time): a top-level value of the wrong type is an error; a
  /// nested map or list with an entry that is not what it should be is left
  /// empty.
  /// - Throws: ``JSONValue/ParseError`` for text that is not JSON, ``InvalidStatistics`` for other JSON.
  init(storedJSON text: String) throws {
    guard case .object(let object) = try JSONValue(parsing: text) else { throw InvalidStatistics() }
    // Like the decoder: a number in another spelling counts when it is exactly a whole number
    // (-2⁶³ only as an integer literal: as a double it is also what anything below rounds to).
    func integer(_ value: JSONValue?) -> Int? {
      switch value {
      case .integer(let number): number
      case .number(let number) where number > -0x1p63: Int(exactly: number)
      default: nil
      }
    }
    func topInteger(_ key: String) throws -> Int {
      guard let value = object[key], value != .null else { return 0 }
      guard let number = integer(value) else { throw InvalidStatistics() }
      return number
    }
    func counters(_ key: String) -> [String: Int] {
      guard case .object(let map) = object[key] else { return [:] }
      var counters: [String: Int] = [:]
      for (name, value) in map {
        guard let number = integer(value) else { return [:] }
        counters[name] = number
      }
      return counters
    }
    /// Every entry of a list made by `make`, or none if one cannot be.
    func entries<Entry>(_ key: String, _ make: ([String: JSONValue]) -> Entry?) -> [Entry] {
      guard case .array(let list) = object[key] else { return [] }
      var entries: [Entry] = []
      for element in list {
        guard case .object(let fields) = element, let entry = make(fields) else { return [] }
        entries.append(entry)
      }
      return entries
    }
    let state: String
    switch object["state"] {
    case nil, .null: state = ""
    case .string(let text): state = text
    default: throw InvalidStatistics()
    }
    let disks = entries("disk_stats") { fields -> Disk? in
      guard case .string(let name) = fields["name"] else { return nil }
      let values = ["rd_req", "rd_bytes", "wr_req", "wr_bytes", "err"].compactMap { integer(fields[$0]) }
      guard values.count == 5 else { return nil }
      return Disk(
        name: name, rdReq: values[0], rdBytes: values[1], wrReq: values[2], wrBytes: values[3], err: values[4])
    }
    let networks = entries("net_stats") { fields -> Network? in
      guard case .string(let name) = fields["name"], case .string(let bridge) = fields["bridge"] else { return nil }
      let keys = ["rd_bytes", "rd_packets", "rd_errors", "rd_drops", "wr_bytes", "wr_packets", "wr_errors", "wr_drops"]
      let values = keys.compactMap { integer(fields[$0]) }
      guard values.count == 8 else { return nil }
      return Network(
        name: name, bridge: bridge, rdBytes: values[0], rdPackets: values[1], rdErrors: values[2], rdDrops: values[3],
        wrBytes: values[4], wrPackets: values[5], wrErrors: values[6], wrDrops: values[7])
    }
    self.init(
      state: state, maxmem: try topInteger("maxmem"), livemem: try topInteger("livemem"), cpus: try topInteger("cpus"),
      cputime: try topInteger("cputime"), memStats: counters("mem_stats"), cpuStats: counters("cpu_stats"),
      diskStats: disks, netStats: networks)
  }

  /// Statistics that are JSON but not statistics.
  struct InvalidStatistics: Error {}
}
