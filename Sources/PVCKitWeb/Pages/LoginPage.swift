/// The login form: an API token.
enum LoginPage {
  static func render(csrf: String, error: String? = nil) -> HTML {
    let problem: HTML = error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? ""
    return PageShell.page(
      "Log in", session: nil,
      """
      \(problem)<form method="post" action="/login" class="card narrow">\(Components.csrf(csrf))\
      <label for="token">API token</label>\
      <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>\
      <button type="submit">Log in</button></form>
      <p class="muted">Use one of the tokens of the cluster's API configuration (pvc.conf, api.token).</p>
      """)
  }
}
