import PVCKit

/// The cluster at a glance: health and faults, maintenance, primary, resources.
enum OverviewPage {
  static func render(_ status: ClusterStatus, faults: [Fault], session: WebSession, flash: String?) -> HTML {
    let health = status.clusterHealth.health
    let memory = status.resources.memory
    let vcpu = status.resources.cpu
    let maintenance = Components.button(
      status.maintenance ? "Leave maintenance mode" : "Enter maintenance mode", action: "/maintenance",
      fields: [("state", status.maintenance ? "off" : "on")], csrf: session.csrf)
    return PageShell.page(
      status.clusterName.isEmpty ? "Cluster" : status.clusterName, session: session, refresh: 5, flash: flash,
      """
      <section class="cards" aria-label="Summary">\
      <div class="card"><h2>Health</h2><p class="big \(health >= 90 ? "good" : health >= 50 ? "busy" : "bad")">\(health)%</p></div>\
      <div class="card"><h2>Primary</h2><p class="big">\(status.primaryNode ?? "none")</p></div>\
      <div class="card"><h2>Nodes</h2><p class="big">\(status.nodes["total"] ?? 0)</p></div>\
      <div class="card"><h2>VMs</h2><p class="big">\(status.vms["total"] ?? 0)</p>\
      <p>\(status.vms.filter { $0.key != "total" }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))</p></div>\
      <div class="card"><h2>Maintenance</h2><p>\(status.maintenance ? "on: nodes are not fenced" : "off")</p>\(maintenance)</div>\
      </section>
      <section aria-labelledby="resources"><h2 id="resources">Resources</h2>\
      \(Components.meter("Memory used", used: Double(memory.used), total: Double(memory.total), unit: "MiB"))\
      \(Components.meter("Memory allocated", used: Double(memory.allocated), total: Double(memory.total), unit: "MiB"))\
      \(Components.meter("vCPUs allocated", used: Double(vcpu.allocated), total: Double(vcpu.total), unit: "vCPUs"))\
      </section>
      <section aria-labelledby="faults"><h2 id="faults">Faults</h2>\(Components.faultTable(faults, session: session))</section>
      """)
  }
}
