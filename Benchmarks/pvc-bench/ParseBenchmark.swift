import Foundation
import FoundationXML
import PVCKit
import PVCKitFixtures

/// Reading stored VM definitions, the costly part of a cold VM listing: PVCKit's
/// one streaming pass (summary, strict well-formedness and host-access scan
/// together) against building FoundationXML's document tree of the same texts
/// (what PVCKit did before, without even reading the values out of it).
struct ParseBenchmark {
  var count: Int
  var rounds: Int

  func run() throws -> Report {
    let texts = (1...count).map { UpstreamSeeder.xml($0) }
    var streaming: [Double] = []
    var tree: [Double] = []
    for _ in 0..<rounds {
      streaming.append(
        try seconds {
          for text in texts { _ = try DomainXML(text).summary }
        })
      tree.append(
        try seconds {
          for text in texts {
            let document = try XMLDocument(xmlString: text, options: [.nodePreserveWhitespace])
            _ = document.rootElement()?.elements(forName: "devices").first?.children?.count
          }
        })
    }
    var report = Report(
      title: "Reading \(count) stored VM definitions (upstream's provisioner layout), median of \(rounds)")
    report.add(
      "streaming summary parse (PVCKit)", milliseconds(streaming), against: "FoundationXML document tree (before)",
      milliseconds(tree), unit: "ms", better: .lower)
    return report
  }

  private func seconds(_ body: () throws -> Void) throws -> Double {
    let start = ContinuousClock.now
    try body()
    return (ContinuousClock.now - start).seconds
  }
}
