import PVCKit

/// The networks list and a network's page (its addresses, reservations and
/// leases, firewall rules, and the VMs with a NIC on it).
enum NetworkPages {
  static func list(_ networks: [NetworkInfo], session: WebSession, flash: String?) -> HTML {
    let rows = networks.map { network -> HTML in
      """
      <tr><th scope="row"><a href="/networks/\(network.vni)">\(network.vni)</a></th><td>\(network.description)</td>\
      <td>\(Components.badge(network.type.rawValue))</td><td>\(shown(network.ip4.network))</td>\
      <td>\(shown(network.ip4.gateway))</td><td>\(network.ip4.dhcpFlag ? "\(network.ip4.dhcpStart)–\(network.ip4.dhcpEnd)" : "No")</td>\
      <td>\(shown(network.ip6.network))</td><td>\(shown(network.domain))</td></tr>
      """
    }
    let table: HTML =
      networks.isEmpty
      ? "<p>No networks.</p>"
      : """
      <table><thead><tr><th scope="col">VNI</th><th scope="col">Description</th><th scope="col">Type</th>\
      <th scope="col">IPv4 network</th><th scope="col">Gateway</th><th scope="col">DHCP</th>\
      <th scope="col">IPv6 network</th><th scope="col">Domain</th></tr></thead><tbody>\(rows)</tbody></table>
      """
    return PageShell.page("Networks", session: session, flash: flash, "\(table)\(addForm(session: session))")
  }

  /// The form that adds a network (checked by PVCKit like every other front's request).
  static func addForm(session: WebSession) -> HTML {
    func field(_ name: String, _ label: String, _ placeholder: String = "") -> HTML {
      """
      <label for="\(name)">\(label)</label><input id="\(name)" name="\(name)" placeholder="\(placeholder)">
      """
    }
    return """
      <h2>Add a network</h2>
      <form method="post" action="/networks" class="stacked">\(Components.csrf(session.csrf))\
      \(field("vni", "VNI", "100"))\(field("description", "Description"))\
      <label for="nettype">Type</label><select id="nettype" name="nettype">\
      <option value="managed">managed (VXLAN)</option><option value="bridged">bridged (VLAN)</option></select>\
      \(field("ip4_network", "IPv4 network", "10.100.0.0/24"))\(field("ip4_gateway", "IPv4 gateway", "10.100.0.1"))\
      \(field("dhcp4_start", "DHCP from", "10.100.0.100"))\(field("dhcp4_end", "DHCP to", "10.100.0.199"))\
      \(field("domain", "Domain"))<button type="submit">Add network</button></form>
      """
  }

  /// The confirmation before a network goes.
  static func confirmRemoval(_ vni: Int, session: WebSession) -> HTML {
    PageShell.page(
      "Confirm", session: session,
      """
      <p>Really remove network <strong>\(vni)</strong>? Its links, addresses and rules go from every node.</p>
      <p>\(Components.button("Yes, remove it", action: "/networks/\(vni)/remove", fields: [("confirm", "yes")], csrf: session.csrf, style: "danger"))\
      <a href="/networks/\(vni)">Cancel</a></p>
      """)
  }

  /// The confirmation before a reservation or a rule goes (the same form again, with `confirm=yes`).
  static func confirm(
    _ question: String, action: String, fields: [(String, String)], back: String, session: WebSession,
    label: String = "Yes, remove it"
  ) -> HTML {
    PageShell.page(
      "Confirm", session: session,
      """
      <p>\(question)</p>
      <p>\(Components.button(label, action: action, fields: fields + [("confirm", "yes")], csrf: session.csrf, style: "danger"))\
      <a href="\(back)">Cancel</a></p>
      """)
  }

  /// The forms of a managed network's page: a reservation and a firewall rule to add.
  static func editForms(_ network: NetworkInfo, session: WebSession) -> HTML {
    func field(_ name: String, _ label: String, _ placeholder: String = "") -> HTML {
      """
      <label for="\(name)">\(label)</label><input id="\(name)" name="\(name)" placeholder="\(placeholder)">
      """
    }
    return """
      <h2>Reserve an address</h2>
      <form method="post" action="/networks/\(network.vni)/reservations" class="stacked">\(Components.csrf(session.csrf))\
      \(field("macaddress", "MAC address", "52:54:00:12:34:56"))\(field("ipaddress", "IPv4 address"))\
      \(field("hostname", "Host name"))<button type="submit">Reserve</button></form>
      <h2>Add a firewall rule</h2>
      <form method="post" action="/networks/\(network.vni)/acls" class="stacked">\(Components.csrf(session.csrf))\
      <label for="direction">Direction</label><select id="direction" name="direction">\
      <option value="in">in (to the network)</option><option value="out">out (from the network)</option></select>\
      \(field("acl_description", "Description", "allow-ssh"))\(field("order", "Order (empty: last)"))\
      \(field("rule", "Rule", "tcp dport 22 ct state new accept"))<button type="submit">Add rule</button></form>
      """
  }

  static func detail(
    _ network: NetworkInfo, leases: [NetworkLease], acls: [NetworkACL], vms: [VMInfo], session: WebSession,
    flash: String?
  ) -> HTML {
    let leaseRows = leases.map { lease -> HTML in
      let remove: HTML =
        lease.isStatic
        ? Components.button(
          "Remove", action: "/networks/\(network.vni)/reservations/remove", fields: [("macaddress", lease.macAddress)],
          csrf: session.csrf, style: "danger") : ""
      return """
        <tr><td>\(lease.hostname)</td><td>\(lease.ip4Address)</td><td>\(lease.macAddress)</td>\
        <td>\(lease.isStatic ? "reservation" : "lease")</td><td>\(remove)</td></tr>
        """
    }
    let aclRows = acls.map { acl -> HTML in
      let remove = Components.button(
        "Remove", action: "/networks/\(network.vni)/acls/remove", fields: [("acl_description", acl.description)],
        csrf: session.csrf, style: "danger")
      return """
        <tr><td>\(acl.direction)</td><td>\(acl.order)</td><td>\(acl.description)</td><td><code>\(acl.rule)</code></td>\
        <td>\(remove)</td></tr>
        """
    }
    return PageShell.page(
      "Network \(network.vni)", session: session, refresh: 10, flash: flash,
      """
      <dl class="facts"><dt>Description</dt><dd>\(network.description)</dd>\
      <dt>Type</dt><dd>\(Components.badge(network.type.rawValue))</dd>\
      <dt>MTU</dt><dd>\(network.mtu.map(String.init) ?? "default")</dd>\
      <dt>Domain</dt><dd>\(shown(network.domain))</dd>\
      <dt>DNS servers</dt><dd>\(shown(network.nameServers.joined(separator: ", ")))</dd>\
      <dt>IPv4</dt><dd>\(shown(network.ip4.network)) via \(shown(network.ip4.gateway))</dd>\
      <dt>DHCPv4</dt><dd>\(network.ip4.dhcpFlag ? "\(network.ip4.dhcpStart)–\(network.ip4.dhcpEnd)" : "No")</dd>\
      <dt>IPv6</dt><dd>\(shown(network.ip6.network)) via \(shown(network.ip6.gateway))</dd></dl>
      <h2>Leases and reservations</h2>\
      \(leases.isEmpty ? "<p>None.</p>" : """
        <table><thead><tr><th scope="col">Host</th><th scope="col">Address</th><th scope="col">MAC</th>\
        <th scope="col">Kind</th><th scope="col"></th></tr></thead><tbody>\(leaseRows)</tbody></table>
        """ as HTML)
      <h2>Firewall rules</h2>\
      \(acls.isEmpty ? "<p>None.</p>" : """
        <table><thead><tr><th scope="col">Direction</th><th scope="col">Order</th><th scope="col">Description</th>\
        <th scope="col">Rule</th><th scope="col"></th></tr></thead><tbody>\(aclRows)</tbody></table>
        """ as HTML)
      \(network.type == .managed ? editForms(network, session: session) : "")
      <h2>VMs on network \(network.vni)</h2>\(VMPages.table(vms, session: session))
      <p>\(Components.button("Remove network", action: "/networks/\(network.vni)/remove", csrf: session.csrf, style: "danger"))</p>
      """)
  }

  static func shown(_ text: String) -> String { text.isEmpty ? "—" : text }
}
