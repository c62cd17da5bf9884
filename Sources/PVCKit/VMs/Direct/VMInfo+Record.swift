import Foundation

extension VMInfo {
  /// Builds a VM's information from its record; the XML gives the hardware, the
  /// statistics (written by its node) give the counters. What cannot be used
  /// (a definition that does not parse, bad statistics or values) is added to
  /// `problems` and shown as unknown.
  init(
    uuid: String, record: Record<DomainKey>, tags: [VMTag], snapshots: [VMSnapshot],
    problems: inout [RecordProblem]
  ) {
    let xml = record.value(.xml)
    problems += record.problems
    let summary: DomainSummary?
    do {
      summary = try DomainXML(stored: xml).summary
    } catch {
      summary = nil
      problems.append(RecordProblem(path: record.basePath + DomainKey.xml.spec.path, problem: "\(error)"))
    }
    var stats: VMStatistics?
    if let text = record[.stats], !text.isEmpty {
      do {
        stats = try VMStatistics(storedJSON: text)
      } catch {
        problems.append(
          RecordProblem(path: record.basePath + DomainKey.stats.spec.path, problem: "not valid VM statistics"))
      }
    }
    self.name = summary?.name ?? record.value(.root)
    self.uuid = uuid
    state = VMState(rawValue: record.value(.state))
    node = record.value(.node)
    lastNode = record.value(.lastNode)
    migrated = lastNode.isEmpty ? "no" : "from \(lastNode)"
    failedReason = record.value(.failedReason)
    let limit = record.value(.nodeLimit).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
    nodeLimit = limit.isEmpty ? nil : limit
    let selector = record.value(.nodeSelector)
    nodeSelector = selector.isEmpty || selector.lowercased() == "none" ? nil : selector
    nodeAutostart = record.value(.autostart).lowercased() == "true"
    let method = record.value(.migrationMethod)
    migrationMethod = method.isEmpty || method.lowercased() == "none" ? nil : method
    migrationMaxDowntime = record.int(.migrationMaxDowntime) ?? 300
    self.tags = tags
    self.snapshots = snapshots
    description = summary?.description ?? "N/A"
    profile = record.value(.profile)
    memory = summary?.memoryMiB ?? 0
    memoryStats = stats?.memStats ?? [:]
    vcpu = summary?.vcpus ?? 0
    vcpuTopology = summary?.topology.map { "\($0.sockets)/\($0.cores)/\($0.threads)" } ?? "N/A"
    vcpuStats = stats?.cpuStats ?? [:]
    type = summary?.osType ?? ""
    arch = summary?.arch ?? ""
    machine = summary?.machine ?? ""
    console = summary?.consoleType ?? ""
    let vncParts = record.value(.vnc).split(separator: ":", maxSplits: 1).map(String.init)
    vnc = vncParts.count == 2 ? VNC(listen: vncParts[0], port: vncParts[1]) : VNC(listen: nil, port: nil)
    emulator = summary?.emulator ?? ""
    features = summary?.features ?? []
    networks = (summary?.interfaces ?? []).map { interface in
      let counters = stats?.netStats.first {
        (!interface.targetDevice.isEmpty && $0.name == interface.targetDevice) || $0.bridge == interface.source
      }
      return Network(
        type: interface.type, vni: interface.vni, mac: interface.mac, source: interface.source, model: interface.model,
        rdBytes: counters?.rdBytes ?? 0, rdPackets: counters?.rdPackets ?? 0, rdErrors: counters?.rdErrors ?? 0,
        rdDrops: counters?.rdDrops ?? 0, wrBytes: counters?.wrBytes ?? 0, wrPackets: counters?.wrPackets ?? 0,
        wrErrors: counters?.wrErrors ?? 0, wrDrops: counters?.wrDrops ?? 0)
    }
    disks = (summary?.disks ?? []).map { disk in
      let counters = stats?.diskStats.first { $0.name == disk.name || $0.name == disk.dev }
      return Disk(
        type: disk.type, name: disk.name, dev: disk.dev, bus: disk.bus, rdReq: counters?.rdReq ?? 0,
        rdBytes: counters?.rdBytes ?? 0, wrReq: counters?.wrReq ?? 0, wrBytes: counters?.wrBytes ?? 0)
    }
    controllers = (summary?.controllers ?? []).map { Controller(type: $0.type, model: $0.model) }
    self.xml = xml
  }
}
