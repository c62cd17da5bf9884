import PVCKit

/// The page shell: head, navigation, main content.
enum PageShell {
  /// A whole page. `refresh` (seconds) re-reads the page's data without JavaScript. A page with `scripts` of its
  /// own (a console) loads those (and `styles`) instead of the live-update script.
  static func page(
    _ title: String, session: WebSession?, refresh: Int? = nil, flash: String? = nil, scripts: [String]? = nil,
    styles: [String] = [], _ body: HTML
  ) -> HTML {
    // With JavaScript a logged-in page follows /events and updates itself in place (Assets/LiveScript); without
    // it, the page reads itself again every `refresh` seconds.
    let meta: HTML = refresh.map { "<noscript><meta http-equiv=\"refresh\" content=\"\($0)\"></noscript>" } ?? ""
    let sources = scripts ?? (session == nil ? [] : ["/static/pvc.js"])
    let script: HTML =
      "\(styles.map { "<link rel=\"stylesheet\" href=\"\($0)\">" as HTML })\(sources.map { $0.hasSuffix(".mjs") ? "<script type=\"module\" src=\"\($0)\"></script>" as HTML : "<script src=\"\($0)\" defer></script>" })"
    let navigation: HTML =
      session.map { session in
        """
        <nav aria-label="Main"><a href="/" class="brand">PVC</a>\
        <a href="/">Overview</a><a href="/health">Health</a><a href="/nodes">Nodes</a><a href="/vms">VMs</a><a href="/networks">Networks</a><a href="/storage">Storage</a><a href="/dns">DNS</a><a href="/provisioner">Provisioner</a><a href="/tasks">Tasks</a>\(clusters(session))\
        <form method="post" action="/logout" class="inline right">\(Components.csrf(session.csrf))\
        <button type="submit" class="link">Log out</button></form></nav>
        """
      } ?? "<nav aria-label=\"Main\"><span class=\"brand\">PVC</span></nav>"
    let notice: HTML = flash.map { "<p class=\"flash\" role=\"status\">\($0)</p>" } ?? ""
    let tasks = session.map { startedTasks($0.tasks) } ?? ""
    return """
      <!doctype html>
      <html lang="en"><head><meta charset="utf-8">\
      <meta name="viewport" content="width=device-width, initial-scale=1">\(meta)\
      <title>\(title) · PVC</title><link rel="stylesheet" href="/static/pvc.css">\(script)</head>
      <body><header>\(navigation)</header><main><h1>\(title)</h1>\(notice)\(tasks)\(body)</main>
      <footer>PVCKit \(PVCKitVersion.string)</footer></body></html>
      """
  }

  /// The progress of the tasks this login started (under way, or finished lately), at the top of every page: a
  /// page that starts a task shows it, and live updates move its bar.
  static func startedTasks(_ tasks: [ClusterTask]) -> HTML {
    guard !tasks.isEmpty else { return "" }
    let items = tasks.map { task -> HTML in
      """
      <li><a href="/provisioner/tasks/\(HTML.urlComponent(task.id))">\(task.name)</a> on \(task.runOn): \
      \(Components.badge(task.state.rawValue.lowercased())) \(TaskPages.progress(task)) \(task.status)</li>
      """
    }
    return """
      <section id="started-tasks" class="tasks" aria-label="Your tasks"><ul>\(items)</ul></section>
      """
  }

  /// The clusters link, naming the cluster shown, when this UI shows several.
  static func clusters(_ session: WebSession) -> HTML {
    guard let name = session.clusterName else { return "" }
    return "<a href=\"/clusters\">Clusters (\(name))</a>"
  }
}
