import Foundation
import PVCKit
import Prometheus

/// `/metrics/zookeeper`: ZooKeeper's own figures (`zk_*`), from each server's `mntr` four-letter word (the servers
/// must allow it: `4lw.commands.whitelist`), labelled with the server. Text figures (the version, the server's
/// state) are information gauges; a server that does not answer has `zk_up{server} 0`.
enum ZooKeeperMetrics {
  /// The servers of a connection (`host:port,host:port/chroot`).
  static func servers(_ connection: ClusterConnection) -> [String] {
    guard case .zookeeper(let hosts, _, _, _) = connection else { return [] }
    return hosts.split(separator: ",").map { String($0.split(separator: "/").first ?? $0) }.filter { !$0.isEmpty }
  }

  static func render(servers: [String]) async -> String {
    let answers = await withTaskGroup(of: (String, String?).self) { group in
      for server in servers { group.addTask { (server, await FourLetterWord.ask("mntr", server: server, timeout: 3)) } }
      var answers: [(String, String?)] = []
      for await answer in group { answers.append(answer) }
      return answers.sorted { $0.0 < $1.0 }
    }
    let registry = PrometheusCollectorRegistry()
    // A name is a number or a text everywhere (the registry wants one set of label names per family); a server
    // answering otherwise for a name is left out for it.
    var numeric: [String: Bool] = [:]
    for (server, answer) in answers {
      registry.makeGauge(name: "zk_up", labels: [("server", server)], help: "1 when the server answers mntr")
        .set(to: answer == nil ? 0 : 1)
      for (name, value) in parse(answer ?? "") {
        let number = Double(value).flatMap { $0.isFinite ? $0 : nil }
        guard numeric[name, default: number != nil] == (number != nil) else { continue }
        numeric[name] = number != nil
        if let number {
          registry.makeGauge(name: name, labels: [("server", server)], help: "ZooKeeper's \(name)").set(to: number)
        } else {
          registry.makeGauge(name: name, labels: [("server", server), ("value", value)], help: "ZooKeeper's \(name)")
            .set(to: 1)
        }
      }
    }
    return registry.emitToString()
  }

  /// `mntr`'s `zk_name<TAB>value` lines whose names are usable as metric names (at most 500).
  static func parse(_ text: String) -> [(String, String)] {
    text.split(separator: "\n").prefix(500).compactMap { line in
      let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
      guard parts.count == 2, parts[0].hasPrefix("zk_"), parts[0].utf8.count <= 128,
        parts[0].unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
      else { return nil }
      return (parts[0], String(parts[1].prefix(200)).trimmingCharacters(in: .whitespaces))
    }
  }
}
