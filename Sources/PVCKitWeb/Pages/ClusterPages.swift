import PVCKit

/// Every cluster this UI shows, at a glance: health, primary, nodes, VMs, maintenance; one to choose.
enum ClusterPages {
  static func overview(
    _ clusters: [(name: String, status: Result<ClusterStatus, WebError>)], chosen: String, session: WebSession,
    flash: String?
  ) -> HTML {
    let rows = clusters.map { entry -> HTML in
      let choose = Components.button(
        entry.name == chosen ? "Shown" : "Show", action: "/clusters/choose", fields: [("cluster", entry.name)],
        csrf: session.csrf)
      switch entry.status {
      case .success(let status):
        let health = status.clusterHealth.health
        return """
          <tr><td>\(entry.name)</td><td class="\(health >= 90 ? "good" : health >= 50 ? "busy" : "bad")">\(health)%</td>\
          <td>\(status.primaryNode ?? "none")</td><td>\(status.nodes["total"] ?? 0)</td><td>\(status.vms["total"] ?? 0)</td>\
          <td>\(status.maintenance ? "on" : "off")</td><td>\(status.clusterHealth.messages.count)</td><td>\(choose)</td></tr>
          """
      case .failure(let error):
        return """
          <tr><td>\(entry.name)</td><td class="bad" colspan="6">unreachable: \(error.description)</td><td></td></tr>
          """
      }
    }
    return PageShell.page(
      "Clusters", session: session, refresh: 10, flash: flash,
      """
      <table><thead><tr><th scope="col">Cluster</th><th scope="col">Health</th><th scope="col">Primary</th>\
      <th scope="col">Nodes</th><th scope="col">VMs</th><th scope="col">Maintenance</th><th scope="col">Faults</th>\
      <th scope="col"></th></tr></thead><tbody>\(rows)</tbody></table>
      """)
  }
}
