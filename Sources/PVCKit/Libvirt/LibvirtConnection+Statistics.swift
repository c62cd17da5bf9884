import CLibvirt
import Foundation

extension LibvirtConnection {
  /// Statistics of every active domain in one call to the daemon (upstream asks
  /// several calls per VM), keyed by UUID.
  public func statistics() async throws -> [String: VMStatistics] {
    try await blocking("statistics") { conn in
      let kinds =
        VIR_DOMAIN_STATS_STATE.rawValue | VIR_DOMAIN_STATS_CPU_TOTAL.rawValue | VIR_DOMAIN_STATS_BALLOON.rawValue
        | VIR_DOMAIN_STATS_VCPU.rawValue | VIR_DOMAIN_STATS_INTERFACE.rawValue | VIR_DOMAIN_STATS_BLOCK.rawValue
      var records: UnsafeMutablePointer<UnsafeMutablePointer<virDomainStatsRecord>?>?
      let count = virConnectGetAllDomainStats(
        conn, UInt32(kinds), &records, UInt32(VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE.rawValue))
      guard count >= 0, let records else { throw LibvirtError.last("statistics") }
      defer { virDomainStatsRecordListFree(records) }
      var result: [String: VMStatistics] = [:]
      for index in 0..<Int(count) {
        guard let record = records[index], let domain = record.pointee.dom else { continue }
        let values = Self.typedParameters(record.pointee.params, count: Int(record.pointee.nparams))
        result[Self.uuid(of: domain)] = Self.statistics(from: values)
      }
      return result
    }
  }

  /// A typed parameter's value: a number or a string.
  enum ParameterValue {
    case number(Int)
    case text(String)

    var int: Int {
      if case .number(let value) = self { return value }
      return 0
    }
  }

  static func typedParameters(_ params: UnsafeMutablePointer<virTypedParameter>?, count: Int) -> [String:
    ParameterValue]
  {
    guard let params else { return [:] }
    var values: [String: ParameterValue] = [:]
    for index in 0..<count {
      var parameter = params[index]
      let field = withUnsafeBytes(of: &parameter.field) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      switch UInt32(parameter.type) {
      case VIR_TYPED_PARAM_INT.rawValue: values[field] = .number(Int(parameter.value.i))
      case VIR_TYPED_PARAM_UINT.rawValue: values[field] = .number(Int(parameter.value.ui))
      case VIR_TYPED_PARAM_LLONG.rawValue: values[field] = .number(Int(parameter.value.l))
      case VIR_TYPED_PARAM_ULLONG.rawValue: values[field] = .number(Int(truncatingIfNeeded: parameter.value.ul))
      case VIR_TYPED_PARAM_DOUBLE.rawValue: values[field] = .number(Int(parameter.value.d))
      case VIR_TYPED_PARAM_BOOLEAN.rawValue: values[field] = .number(Int(parameter.value.b))
      case VIR_TYPED_PARAM_STRING.rawValue: values[field] = .text(parameter.value.s.map { String(cString: $0) } ?? "")
      default: continue
      }
    }
    return values
  }

  /// Upstream's statistics JSON from libvirt's bulk statistics fields.
  static func statistics(from values: [String: ParameterValue]) -> VMStatistics {
    func int(_ key: String) -> Int { values[key]?.int ?? 0 }
    func text(_ key: String) -> String {
      if case .text(let value) = values[key] { return value }
      return ""
    }
    var memory: [String: Int] = ["actual": int("balloon.current")]
    for key in [
      "swap_in", "swap_out", "major_fault", "minor_fault", "unused", "available", "usable", "rss", "disk_caches",
      "hugetlb_pgalloc", "hugetlb_pgfail",
    ] where values["balloon.\(key)"] != nil {
      memory[key] = int("balloon.\(key)")
    }
    if values["balloon.last-update"] != nil { memory["last_update"] = int("balloon.last-update") }
    let disks = (0..<min(max(0, int("block.count")), 1024)).map { n in
      VMStatistics.Disk(
        name: text("block.\(n).path").isEmpty ? text("block.\(n).name") : text("block.\(n).path"),
        rdReq: int("block.\(n).rd.reqs"), rdBytes: int("block.\(n).rd.bytes"), wrReq: int("block.\(n).wr.reqs"),
        wrBytes: int("block.\(n).wr.bytes"), err: values["block.\(n).errors"].map(\.int) ?? -1)
    }
    let nics = (0..<min(max(0, int("net.count")), 1024)).map { n in
      VMStatistics.Network(
        name: text("net.\(n).name"), bridge: "", rdBytes: int("net.\(n).rx.bytes"),
        rdPackets: int("net.\(n).rx.pkts"), rdErrors: int("net.\(n).rx.errs"), rdDrops: int("net.\(n).rx.drop"),
        wrBytes: int("net.\(n).tx.bytes"), wrPackets: int("net.\(n).tx.pkts"), wrErrors: int("net.\(n).tx.errs"),
        wrDrops: int("net.\(n).tx.drop"))
    }
    let state = DomainState(
      state: Int32(truncatingIfNeeded: int("state.state")), reason: Int32(truncatingIfNeeded: int("state.reason")))
    return VMStatistics(
      state: state.name, maxmem: int("balloon.maximum"), livemem: int("balloon.current"),
      cpus: int("vcpu.current"), cputime: int("cpu.time"), memStats: memory,
      cpuStats: ["cpu_time": int("cpu.time"), "user_time": int("cpu.user"), "system_time": int("cpu.system")],
      diskStats: disks, netStats: nics)
  }
}
