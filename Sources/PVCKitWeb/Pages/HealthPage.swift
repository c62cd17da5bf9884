import Foundation
import PVCKit
import PVCKitServer

/// The health page: cluster health over time, each node's health and plugin results, the faults (with
/// acknowledge), and a node's log, refreshed every few seconds.
enum HealthPage {
  static func render(
    _ status: ClusterStatus, nodes: [NodeInfo], faults: [Fault], history: [HealthHistory.Sample],
    log: (String, String)?,
    session: WebSession, flash: String?
  ) -> HTML {
    let health = status.clusterHealth.health
    let span = history.count > 1 ? Int((history.last!.time - history.first!.time) / 60) : 0
    let overTime = Components.sparkline(
      history.map { Double($0.cluster) }, label: "Cluster health (%), last \(span) min")
    let nodeSections = nodes.sorted { $0.name < $1.name }.map { node -> HTML in
      let plugins = node.healthDetails.sorted { $0.name < $1.name }.map { plugin -> HTML in
        let age = plugin.lastRun > 0 ? "\(max(0, Int(Date().timeIntervalSince1970) - plugin.lastRun)) s ago" : "not yet"
        let style = plugin.healthDelta == 0 ? "good" : plugin.healthDelta >= 50 ? "bad" : "busy"
        return """
          <tr><td>\(plugin.name)</td><td class="\(style)">\(plugin.healthDelta == 0 ? "0" : "−\(plugin.healthDelta)")</td>\
          <td>\(plugin.message)</td><td>\(age)</td></tr>
          """
      }
      let trend = Components.sparkline(
        history.compactMap { $0.nodes[node.name].map(Double.init) }, label: "\(node.name) health (%)")
      let table: HTML =
        plugins.isEmpty
        ? "<p>No plugin results.</p>"
        : """
        <table><caption class="sr">\(node.name)'s health plugins</caption><thead><tr><th scope="col">Plugin</th>\
        <th scope="col">Health −</th><th scope="col">Result</th><th scope="col">Checked</th></tr></thead>\
        <tbody>\(plugins)</tbody></table>
        """
      let nodeHealth = node.health.map { "\($0)%" } ?? "unknown"
      return """
        <section aria-labelledby="node-\(node.name)"><h3 id="node-\(node.name)">\(node.name): \(nodeHealth) \
        \(Components.badge(node.daemonState.rawValue))</h3>\(trend)\(table)</section>
        """
    }
    let logSection: HTML
    if let (node, text) = log {
      logSection = """
        <section aria-labelledby="log"><h2 id="log">Log of \(node)</h2>\
        <p>\(nodes.map { "<a href=\"/health?log=\(HTML.urlComponent($0.name).markup)#log\">\($0.name)</a>" }.joined(separator: " "))</p>\
        <pre class="log">\(text)</pre></section>
        """
    } else {
      logSection = ""
    }
    return PageShell.page(
      "Health", session: session, refresh: 5, flash: flash,
      """
      <section class="cards" aria-label="Summary">\
      <div class="card"><h2>Cluster health</h2><p class="big \(health >= 90 ? "good" : health >= 50 ? "busy" : "bad")">\(health)%</p>\
      \(overTime)</div></section>
      <section aria-labelledby="faults"><h2 id="faults">Faults</h2>\(Components.faultTable(faults, session: session))</section>
      <section aria-labelledby="nodes"><h2 id="nodes">Nodes</h2>\(nodeSections)</section>
      \(logSection)
      """)
  }
}
