import PVCKit

/// The DNS pages: the zones (the aggregator's, one per managed network and its reverse zone, and the
/// administrator's, with a form to add one) and a zone's page (its records; forms to add, change and remove
/// the administrator's records, also beside the aggregator's in a network's zone; the aggregator's own
/// records, and its zones, are shown read-only).
enum DNSPages {
  static func zonePath(_ zone: String) -> String { "/dns/\(HTML.urlComponent(zone).markup)" }

  static func zones(_ zones: [DNSZone], session: WebSession, flash: String?) -> HTML {
    let rows = zones.map { zone -> HTML in
      let network: HTML = zone.network.map { "<a href=\"/networks/\($0)\">\($0)</a>" } ?? "—"
      let remove: HTML =
        zone.source == .user
        ? Components.button(
          "Remove", action: "\(zonePath(zone.name))/remove", csrf: session.csrf, style: "danger") : ""
      return """
        <tr><th scope="row"><a href="\(HTML(trusted: zonePath(zone.name)))">\(zone.name)</a></th>\
        <td>\(zone.source == .user ? "administrator" : "aggregator")</td><td>\(network)</td>\
        <td>\(zone.serial)</td><td>\(zone.records)</td><td>\(remove)</td></tr>
        """
    }
    return PageShell.page(
      "DNS", session: session, refresh: 30, flash: flash,
      """
      <p>Zones served by PowerDNS on the primary coordinator. The aggregator keeps each managed network's names \
      (DHCP leases, reservations, VMs) in step; those zones are read-only here.</p>
      \(zones.isEmpty ? "<p>No zones.</p>" : """
        <table><thead><tr><th scope="col">Zone</th><th scope="col">Kept by</th><th scope="col">Network</th>\
        <th scope="col">Serial</th><th scope="col">Records</th><th scope="col"></th></tr></thead>\
        <tbody>\(rows)</tbody></table>
        """ as HTML)
      <h2>Add a zone</h2>
      <form method="post" action="/dns" class="stacked">\(Components.csrf(session.csrf))\
      <label for="zone">Zone</label><input id="zone" name="zone" placeholder="example.org">\
      <label for="nameserver">Name server</label><input id="nameserver" name="nameserver" placeholder="ns1.example.org">\
      <label for="contact">Contact</label><input id="contact" name="contact" placeholder="hostmaster.example.org">\
      <button type="submit">Add zone</button></form>
      """)
  }

  static func zone(_ zone: DNSZone, records: [DNSRecord], session: WebSession, flash: String?) -> HTML {
    let base = zonePath(zone.name)
    let editable = zone.source == .user
    let rows = records.map { record -> HTML in
      let remove: HTML =
        record.source == .user && record.type != .soa && !(record.type == .ns && record.name == zone.name)
        ? Components.button(
          "Remove", action: "\(base)/records/remove", fields: [("id", String(record.id))], csrf: session.csrf,
          style: "danger") : ""
      return """
        <tr><td>\(record.id)</td><th scope="row">\(record.name)</th><td>\(record.type.rawValue)</td>\
        <td class="wrap">\(record.content)</td><td>\(record.ttl)</td>\
        <td>\(record.priority.map(String.init) ?? "")</td><td>\(remove)</td></tr>
        """
    }
    let types = DNSRecordType.writable.map { "<option>\($0.rawValue)</option>" as HTML }
    let removal: HTML =
      editable
      ? "<p>\(Components.button("Remove zone", action: "\(base)/remove", csrf: session.csrf, style: "danger"))</p>"
      : """
      <p>This zone is kept by the aggregator from network \(zone.network.map(String.init) ?? "?"): its own records \
      follow the network's leases, reservations and VMs and cannot be edited; records added here stay beside them.</p>
      """
    let forms: HTML = """
      <h2>Add a record</h2>
      <form method="post" action="\(base)/records" class="stacked">\(Components.csrf(session.csrf))\
      \(recordFields(types: types))<button type="submit">Add record</button></form>
      <h2>Change a record</h2>
      <form method="post" action="\(base)/records/modify" class="stacked">\(Components.csrf(session.csrf))\
      <label for="id">Record number</label><input id="id" name="id" inputmode="numeric">\
      \(recordFields(types: types, prefix: "new_"))<button type="submit">Change record</button></form>
      \(removal)
      """
    return PageShell.page(
      "Zone \(zone.name)", session: session, refresh: editable ? nil : 10, flash: flash,
      """
      <dl class="facts"><dt>Kept by</dt><dd>\(editable ? "administrator" : "aggregator")</dd>\
      <dt>Serial</dt><dd>\(zone.serial)</dd><dt>Records</dt><dd>\(zone.records)</dd></dl>
      <h2>Records</h2>\
      \(records.isEmpty ? "<p>None.</p>" : """
        <table><thead><tr><th scope="col">No.</th><th scope="col">Name</th><th scope="col">Type</th>\
        <th scope="col">Content</th><th scope="col">TTL</th><th scope="col">Priority</th><th scope="col"></th>\
        </tr></thead><tbody>\(rows)</tbody></table>
        """ as HTML)
      \(forms)
      """)
  }

  private static func recordFields(types: [HTML], prefix: String = "") -> HTML {
    """
    <label for="\(prefix)name">Name (@ for the zone itself)</label><input id="\(prefix)name" name="name" value="@">\
    <label for="\(prefix)type">Type</label><select id="\(prefix)type" name="type">\(types)</select>\
    <label for="\(prefix)content">Content</label><input id="\(prefix)content" name="content">\
    <label for="\(prefix)ttl">TTL (seconds)</label><input id="\(prefix)ttl" name="ttl" value="\(DNSRules.defaultTTL)" inputmode="numeric">\
    <label for="\(prefix)priority">Priority (MX, SRV)</label><input id="\(prefix)priority" name="priority" inputmode="numeric">
    """
  }
}
