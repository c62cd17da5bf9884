import Foundation
import PVCKit

/// The tasks page: what the cluster is doing (running and queued tasks with their progress) and what it did
/// (finished tasks with their results and errors), with cancel where a task's kind can stop part-way.
enum TaskPages {
  /// How many finished tasks are shown (newest first).
  static let finishedShown = 50

  static func list(_ tasks: [ClusterTask], session: WebSession, flash: String?) -> HTML {
    let running = tasks.filter { $0.state == .running }.sorted { $0.created < $1.created }
    let queued = tasks.filter { $0.state == .pending }.sorted { $0.created < $1.created }
    let finished = tasks.filter(\.state.isFinished).sorted { $0.updated > $1.updated }.prefix(finishedShown)
    let mayCancel = session.identity.role >= OperationSpec.taskCancel.requiredRole
    let body: HTML = """
      <section aria-labelledby="running"><h2 id="running">Running (\(running.count))</h2>\
      \(table(running, session: session, cancel: mayCancel, empty: "Nothing is running."))</section>
      <section aria-labelledby="queued"><h2 id="queued">Queued (\(queued.count))</h2>\
      \(table(queued, session: session, cancel: mayCancel, empty: "Nothing is waiting."))</section>
      <section aria-labelledby="finished"><h2 id="finished">Finished (newest \(finished.count))</h2>\
      \(table(Array(finished), session: session, cancel: false, empty: "No task has finished yet."))</section>
      """
    // While something is under way the page reads itself again (without JavaScript).
    return PageShell.page(
      "Tasks", session: session, refresh: running.isEmpty && queued.isEmpty ? nil : 3, flash: flash, body)
  }

  static func table(_ tasks: [ClusterTask], session: WebSession, cancel: Bool, empty: String) -> HTML {
    guard !tasks.isEmpty else { return "<p>\(empty)</p>" }
    let rows = tasks.map { task -> HTML in
      let cancellable = cancel && TaskKinds.kind(named: task.name)?.isCancellable == true
      let action: HTML =
        cancellable
        ? Components.button(
          "Cancel", action: "/tasks/\(HTML.urlComponent(task.id).markup)/cancel", csrf: session.csrf, style: "danger")
        : ""
      return """
        <tr><td><code>\(task.id)</code></td><td>\(task.name)</td><td>\(task.runOn)</td>\
        <td>\(Components.badge(task.state.rawValue.lowercased()))</td><td>\(progress(task))</td>\
        <td>\(task.status)</td><td>\(time(task.created))</td><td>\(time(task.updated))</td><td>\(action)</td></tr>
        """
    }
    return """
      <table><thead><tr><th scope="col">ID</th><th scope="col">Kind</th><th scope="col">Node</th>\
      <th scope="col">State</th><th scope="col">Progress</th><th scope="col">Status</th>\
      <th scope="col">Created</th><th scope="col">Updated</th><th scope="col"></th></tr></thead>\
      <tbody>\(rows)</tbody></table>
      """
  }

  /// A progress bar with its text (`3 of 11`).
  static func progress(_ task: ClusterTask) -> HTML {
    let total = max(task.total, 1)
    let current = min(max(task.current, 0), total)
    return "<progress value=\"\(current)\" max=\"\(total)\">\(current) of \(total)</progress> \(current)/\(total)"
  }

  static func time(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds > 0 else { return "" }
    return Date(timeIntervalSince1970: seconds).formatted(.iso8601)
  }
}
