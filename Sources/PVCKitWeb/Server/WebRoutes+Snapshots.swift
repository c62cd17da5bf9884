import Hummingbird
import PVCKit
import PVCKitServer

/// The VM page's snapshot and mirror forms: each queues a task and shows its page (rollbacks, removals and
/// promotions confirmed first).
extension WebRoutes {
  func registerSnapshots(on router: Router<PVCRequestContext>) {
    router.post("/vms/:vm/snapshots") { request, context in
      let name = context.parameters.get("vm") ?? ""
      return try await action(request, { $0.first("action") == "create" ? .vmSnapshotCreate : .vmSnapshotRollback }) {
        session, form in
        try await snapshotAction(name, form: form, session: session)
      }
    }
  }

  private func snapshotAction(_ name: String, form: RequestParameters, session: WebSession) async throws -> Response {
    let action = form.first("action") ?? ""
    let snapshot = Self.clean(form.first("snapshot"))
    let back = "/vms/\(HTML.urlComponent(name).markup)"
    let destination = SnapshotDestination(
      uri: Self.clean(form.first("uri")), key: form.first("key") ?? "",
      pool: form.first("pool").flatMap { $0.isEmpty ? nil : $0 })
    if ["rollback", "remove", "promote"].contains(action) && form.first("confirm") != "yes" {
      let question =
        action == "promote"
        ? "Shut VM \(name) down here and start its mirror on \(destination.uri)?"
        : "Really \(action == "rollback" ? "roll VM \(name) back to" : "remove") snapshot \(snapshot)"
          + "\(action == "remove" ? " of VM \(name)" : "")?"
      var fields = [("action", action), ("snapshot", snapshot)]
      if action == "promote" {
        fields += [("uri", destination.uri), ("key", destination.key), ("pool", destination.pool ?? "")]
      }
      return Self.page(
        NetworkPages.confirm(
          question, action: "\(back)/snapshots", fields: fields, back: back, session: session,
          label: action == "promote" ? "Yes, promote it" : "Yes, \(action == "rollback" ? "roll back" : "remove") it"))
    }
    let vms = cluster.vms
    let task: ClusterTask
    switch action {
    case "create": task = try await vms.createSnapshot(name, name: snapshot.isEmpty ? nil : snapshot)
    case "rollback": task = try await vms.rollbackSnapshot(name, name: snapshot)
    case "remove": task = try await vms.removeSnapshot(name, name: snapshot)
    case "mirror": task = try await vms.createMirror(name, to: destination)
    case "promote": task = try await vms.promoteMirror(name, to: destination, removeOnSource: false)
    default: throw WebError.badRequest("unknown snapshot action")
    }
    // Back to the VM's page, which shows the task's progress (it is this session's).
    server.sessions.started(task.id, by: session.id)
    return Self.redirect(back, flash: "Queued \(task.name) on \(task.runOn).")
  }
}
