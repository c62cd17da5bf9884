import Foundation
import PVCKit
import PVCKitServer

/// The snapshot and mirror section of a VM's page: its snapshots (roll back, remove), a form to take one, and
/// forms to mirror the VM to another cluster or promote its mirror there. Each starts a task whose page follows.
enum VMSnapshotSection {
  static func path(_ vm: VMInfo) -> String { "/vms/\(HTML.urlComponent(vm.name).markup)/snapshots" }

  static func section(_ vm: VMInfo, session: WebSession) -> HTML {
    let path = path(vm)
    let rows = vm.snapshots.sorted { (Double($0.timestamp) ?? 0) > (Double($1.timestamp) ?? 0) }.map {
      snapshot -> HTML in
      let taken =
        Double(snapshot.timestamp).map {
          Date(timeIntervalSince1970: $0).formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: false))
        } ?? snapshot.timestamp
      let buttons = ["rollback", "remove"].map { action in
        Components.button(
          action == "rollback" ? "Roll back" : "Remove", action: path,
          fields: [("action", action), ("snapshot", snapshot.name)], csrf: session.csrf,
          style: action == "remove" ? "danger" : "")
      }
      return """
        <tr><td>\(snapshot.name)</td><td>\(taken) (\(snapshot.age))</td><td>\(snapshot.rbdSnapshots.count)</td>\
        <td>\(buttons)</td></tr>
        """
    }
    let table: HTML =
      rows.isEmpty
      ? "<p>No snapshots.</p>"
      : "<table><thead><tr><th>Snapshot</th><th>Taken</th><th>Disks</th><th>Actions</th></tr></thead><tbody>\(rows)</tbody></table>"
    return """
      <section aria-labelledby="snapshots"><h2 id="snapshots">Snapshots</h2>\(table)\
      <form method="post" action="\(path)" class="inline">\(Components.csrf(session.csrf))\
      <label for="snapshot">Name</label><input id="snapshot" name="snapshot" placeholder="the time" maxlength="95">\
      <button type="submit" name="action" value="create">Take a snapshot</button></form>\
      <h3>Mirror on another cluster</h3>\
      <form method="post" action="\(path)">\(Components.csrf(session.csrf))\
      <label for="uri">Destination API</label><input id="uri" name="uri" placeholder="https://host:7370/api/v1" required>\
      <label for="key">API key</label><input id="key" name="key" type="password" autocomplete="off" required>\
      <label for="pool">Pool there</label><input id="pool" name="pool" placeholder="the same">\
      <button type="submit" name="action" value="mirror">Create or update the mirror</button>\
      <button type="submit" name="action" value="promote" class="danger">Promote the mirror</button></form></section>
      """
  }
}
