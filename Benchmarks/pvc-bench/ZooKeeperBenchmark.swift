import Foundation
import PVCKit

/// Gets and creates of many small nodes through PVCKit, awaited one by one and
/// pipelined, against the raw C client pipelining the same requests.
struct ZooKeeperBenchmark {
  var hosts: String
  var count: Int
  var rounds: Int

  func run() async throws -> Report {
    let zk = try await ZooKeeper.connect(to: hosts)
    let root = "/pvc-bench-\(ProcessInfo.processInfo.processIdentifier)"
    try await zk.create(root, "")
    let value = [UInt8](repeating: UInt8(ascii: "x"), count: 100)
    let readParent = root + "/read"
    try await zk.create(readParent, "")
    let readPaths = (0..<count).map { "\(readParent)/n\($0)" }
    _ = try await zk.pipeline(readPaths.map { .create(path: $0, data: value) })

    var getCPU: [Double] = []
    var getRawCPU: [Double] = []
    var getBulk: [Double] = []
    var getSerial: [Double] = []
    var getPipelined: [Double] = []
    var getRaw: [Double] = []
    var createSerial: [Double] = []
    var createPipelined: [Double] = []
    var createRaw: [Double] = []

    for round in 0..<rounds {
      let raw = try rawClient("get", readParent)
      getRaw.append(raw.elapsed)
      getRawCPU.append(raw.cpu)
      let before = CPUTime.ownProcess()
      getPipelined.append(
        try await timed {
          let values = try await zk.getPipelined(readPaths)
          precondition(values.allSatisfy { $0?.bytes.count == 100 })
        })
      getCPU.append(CPUTime.ownProcess() - before)
      getBulk.append(
        try await timed {
          let values = try await zk.readBulk(data: readPaths, children: []).data
          precondition(values.allSatisfy { $0?.bytes.count == 100 })
        })
      getSerial.append(try await timed { for path in readPaths { _ = try await zk.get(path) } })

      let rawParent = "\(root)/raw\(round)"
      try await zk.create(rawParent, "")
      createRaw.append(try rawClient("create", rawParent).elapsed)

      let pipelinedParent = "\(root)/pipelined\(round)"
      try await zk.create(pipelinedParent, "")
      createPipelined.append(
        try await timed {
          let results = try await zk.pipeline(
            (0..<count).map { .create(path: "\(pipelinedParent)/n\($0)", data: value) })
          precondition(results.allSatisfy { if case .success = $0 { true } else { false } })
        })

      let serialParent = "\(root)/serial\(round)"
      try await zk.create(serialParent, "")
      createSerial.append(
        try await timed { for i in 0..<count { try await zk.create("\(serialParent)/n\(i)", data: value) } })

      for parent in [rawParent, pipelinedParent, serialParent] { try await zk.deleteRecursively(parent) }
    }
    try await zk.deleteRecursively(root)
    await zk.close()

    func rate(_ seconds: [Double]) -> Double? { median(seconds).map { Double(count) / $0 } }
    var report = Report(title: "ZooKeeper client: \(count) nodes of 100 bytes, median of \(rounds) rounds, \(hosts)")
    report.add(
      "get, PVCKit pipelined (getPipelined)", rate(getPipelined), against: "raw C client pipelined", rate(getRaw),
      unit: "ops/s", better: .higher)
    report.add(
      "get, PVCKit pipelined (getPipelined)", rate(getPipelined), against: "PVCKit awaited one by one", rate(getSerial),
      unit: "ops/s", better: .higher)
    report.add(
      "get, PVCKit bulk (readBulk: multiRead)", rate(getBulk), against: "raw C client pipelined", rate(getRaw),
      unit: "ops/s", better: .higher)
    report.add(
      "create, PVCKit pipelined", rate(createPipelined), against: "raw C client pipelined", rate(createRaw),
      unit: "ops/s", better: .higher)
    report.add(
      "create, PVCKit pipelined", rate(createPipelined), against: "PVCKit awaited one by one", rate(createSerial),
      unit: "ops/s", better: .higher)
    let perOp = { (seconds: [Double]) in median(seconds).map { $0 / Double(count) * 1e6 } }
    report.add(
      "client CPU per pipelined get, PVCKit (getPipelined)", perOp(getCPU), against: "raw C client pipelined",
      perOp(getRawCPU), unit: "µs", better: .lower)
    report.notes.append("Targets: pipelined gets >= 0.8x the raw C client and >= 4x one by one.")
    report.notes.append(
      "Client and server share the machine's cores, so client CPU per request also limits throughput. Both CPU "
        + "figures cover the same span, the batch of gets only (user and system time of every thread of the "
        + "process, from getrusage before and after), not connecting or exiting.")
    return report
  }

  /// Runs the raw C client and returns its elapsed and CPU seconds over the batch.
  func rawClient(_ mode: String, _ parent: String) throws -> (elapsed: Double, cpu: Double) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("zk-raw-baseline")
    process.arguments = [hosts, mode, parent, String(count)]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let fields = String(decoding: output, as: UTF8.self).split(separator: " ").map {
      Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    guard process.terminationStatus == 0, fields.count == 2, let elapsed = fields[0], let cpu = fields[1] else {
      throw BenchmarkError("zk-raw-baseline \(mode) failed")
    }
    return (elapsed, cpu)
  }
}

struct BenchmarkError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
