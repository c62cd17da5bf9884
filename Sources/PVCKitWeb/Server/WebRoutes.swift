import Foundation
import HTTPTypes
import Hummingbird
import PVCKit
import PVCKitServer

/// The UI's routes: pages (GET) and actions (POST forms with the CSRF token,
/// answered with a redirect to the page, which shows what happened).
struct WebRoutes: Sendable {
  let server: WebServer
  /// The cluster the request works on: the one its login chose (``WebCluster``), else the own one.
  var cluster: PVCCluster { WebCluster.current?.cluster ?? server.cluster }

  func register(on router: Router<PVCRequestContext>) {
    router.get("/static/pvc.css") { _, _ in
      Self.response(Stylesheet.css, type: "text/css; charset=utf-8", cache: true)
    }
    registerEvents(on: router)
    router.get("/login") { _, _ in loginForm() }
    router.post("/login") { request, context in try await login(request, client: context.client) }
    router.post("/logout") { request, _ in
      try await action(request, .logout) { session, _ in
        server.sessions.close(session.id)
        var response = Self.redirect("/login")
        response.headers[.setCookie] = "\(WebSessions.cookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
        return response
      }
    }
    router.get("/") { request, _ in
      try await page(request) { session, flash in
        async let status = cluster.status()
        async let faults = cluster.faults.list()
        return OverviewPage.render(try await status, faults: try await faults, session: session, flash: flash)
      }
    }
    router.get("/health") { request, _ in
      try await page(request) { session, flash in
        async let status = cluster.status()
        async let nodes = cluster.nodes.list()
        async let faults = cluster.faults.list()
        let (current, nodeList) = (try await status, try await nodes)
        // The history is the own cluster's (another's page shows what it reads now).
        if WebCluster.current == nil {
          server.health.record(current, nodes: nodeList)
          server.health.startSampling(cluster)
        }
        let wanted = RequestParameters(query: request.uri.query).first("log") ?? current.primaryNode ?? ""
        var log: (String, String)?
        if nodeList.contains(where: { $0.name == wanted }) {
          log = (wanted, (try? await cluster.nodes.log(wanted, lines: 100)) ?? "")
        }
        return HealthPage.render(
          current, nodes: nodeList, faults: try await faults, history: server.health.series(), log: log,
          session: session, flash: flash)
      }
    }
    router.get("/nodes") { request, _ in
      try await page(request) { session, flash in
        NodePages.list(try await cluster.nodes.list(), session: session, flash: flash)
      }
    }
    router.get("/nodes/:node") { request, context in
      let name = context.parameters.get("node") ?? ""
      return try await page(request) { session, flash in
        let node = try await cluster.nodes.info(name)
        return NodePages.detail(
          node, vms: try await cluster.vms.list(VMFilter(node: name)), session: session, flash: flash)
      }
    }
    router.get("/networks") { request, _ in
      try await page(request) { session, flash in
        NetworkPages.list(try await cluster.networks.list(), session: session, flash: flash)
      }
    }
    router.get("/networks/:vni") { request, context in
      let vni = Int(context.parameters.get("vni") ?? "") ?? 0
      return try await page(request) { session, flash in
        let network = try await cluster.networks.info(vni)
        let vms = try await cluster.vms.list(VMFilter()).filter { $0.networks.contains { $0.vni == String(vni) } }
        var leases: [NetworkLease] = []
        var acls: [NetworkACL] = []
        if network.type == .managed {
          leases = try await cluster.networks.leases(vni, limit: nil, staticOnly: false)
          acls = try await cluster.networks.acls(vni, limit: nil, direction: nil)
        }
        return NetworkPages.detail(
          network, leases: leases, acls: acls, vms: vms, session: session, flash: flash)
      }
    }
    router.post("/networks") { request, _ in
      try await action(request, .networkAdd) { _, form in
        func text(_ name: String) -> String? {
          Self.clean(form.first(name)).isEmpty ? nil : Self.clean(form.first(name))
        }
        guard let vni = Int(Self.clean(form.first("vni"))) else {
          throw WebError.badRequest("the VNI must be a number")
        }
        let start = text("dhcp4_start")
        try await cluster.networks.add(
          NetworkDefinition(
            vni: vni, description: text("description") ?? "",
            type: NetworkType(rawValue: Self.clean(form.first("nettype"))) ?? .managed, domain: text("domain"),
            ip4Network: text("ip4_network"), ip4Gateway: text("ip4_gateway"), dhcp4: start != nil, dhcp4Start: start,
            dhcp4End: text("dhcp4_end")))
        return Self.redirect("/networks/\(vni)", flash: "Added network \(vni).")
      }
    }
    router.post("/networks/:vni/reservations") { request, context in
      let vni = Int(context.parameters.get("vni") ?? "") ?? 0
      return try await action(request, .networkLeaseAdd) { _, form in
        let mac = Self.clean(form.first("macaddress"))
        try await cluster.networks.addReservation(
          vni, mac: mac, ip: Self.clean(form.first("ipaddress")), hostname: Self.clean(form.first("hostname")))
        return Self.redirect("/networks/\(vni)", flash: "Reserved an address for \(mac).")
      }
    }
    router.post("/networks/:vni/reservations/remove") { request, context in
      let vni = Int(context.parameters.get("vni") ?? "") ?? 0
      return try await action(request, .networkLeaseRemove) { session, form in
        let mac = Self.clean(form.first("macaddress"))
        guard form.first("confirm") == "yes" else {
          return Self.page(
            NetworkPages.confirm(
              "Really remove the reservation of \(mac) from network \(vni)?",
              action: "/networks/\(vni)/reservations/remove", fields: [("macaddress", mac)], back: "/networks/\(vni)",
              session: session))
        }
        try await cluster.networks.removeReservation(vni, mac: mac)
        return Self.redirect("/networks/\(vni)", flash: "Removed the reservation of \(mac).")
      }
    }
    router.post("/networks/:vni/acls") { request, context in
      let vni = Int(context.parameters.get("vni") ?? "") ?? 0
      return try await action(request, .networkACLAdd) { _, form in
        let description = Self.clean(form.first("acl_description"))
        guard let direction = Layout.RuleDirection(rawValue: Self.clean(form.first("direction"))) else {
          throw WebError.badRequest("the direction is in or out")
        }
        let orderText = Self.clean(form.first("order"))
        guard orderText.isEmpty || Int(orderText) != nil else { throw WebError.badRequest("the order is a number") }
        try await cluster.networks.addACL(
          vni, description: description, direction: direction, order: Int(orderText),
          rule: Self.clean(form.first("rule")))
        return Self.redirect("/networks/\(vni)", flash: "Added rule \(description).")
      }
    }
    router.post("/networks/:vni/acls/remove") { request, context in
      let vni = Int(context.parameters.get("vni") ?? "") ?? 0
      return try await action(request, .networkACLRemove) { session, form in
        let description = Self.clean(form.first("acl_description"))
        guard form.first("confirm") == "yes" else {
          return Self.page(
            NetworkPages.confirm(
              "Really remove rule \(description) from network \(vni)?", action: "/networks/\(vni)/acls/remove",
              fields: [("acl_description", description)], back: "/networks/\(vni)", session: session))
        }
        try await cluster.networks.removeACL(vni, description: description)
        return Self.redirect("/networks/\(vni)", flash: "Removed rule \(description).")
      }
    }
    router.post("/networks/:vni/remove") { request, context in
      let vni = Int(context.parameters.get("vni") ?? "") ?? 0
      return try await action(request, .networkRemove) { session, form in
        guard form.first("confirm") == "yes" else {
          _ = try await cluster.networks.info(vni)
          return Self.page(NetworkPages.confirmRemoval(vni, session: session))
        }
        try await cluster.networks.remove(vni)
        return Self.redirect("/networks", flash: "Removed network \(vni).")
      }
    }
    registerStorage(on: router)
    registerDNS(on: router)
    registerProvisioner(on: router)
    registerSnapshots(on: router)
    registerConsoles(on: router)
    registerClusters(on: router)
    router.get("/vms") { request, _ in
      try await page(request) { session, flash in
        let p = RequestParameters(query: request.uri.query)
        var query = VMListQuery()
        query.name = Self.clean(p.first("name"))
        query.node = Self.clean(p.first("node"))
        query.state = Self.clean(p.first("state"))
        query.tag = Self.clean(p.first("tag"))
        if let sort = p.first("sort"), VMListQuery.sortKeys.contains(sort) { query.sort = sort }
        query.descending = p.first("dir") == "desc"
        query.page = max(1, Int(p.first("page") ?? "1") ?? 1)
        let vms = try await cluster.vms.list(
          VMFilter(
            limit: query.name.isEmpty ? nil : query.name, node: query.node.isEmpty ? nil : query.node,
            state: query.state.isEmpty ? nil : VMState(rawValue: query.state), tag: query.tag.isEmpty ? nil : query.tag)
        )
        let nodes = try await cluster.nodes.list().map(\.name)
        return VMPages.list(vms, query: query, nodes: nodes, session: session, flash: flash)
      }
    }
    router.get("/vms/new") { request, _ in
      try await page(request) { session, flash in
        VMFormPages.define(nodes: try await cluster.nodes.list().map(\.name), session: session, flash: flash)
      }
    }
    router.post("/vms/new") { request, _ in
      try await action(request, .vmDefine) { _, form in
        let node = form.first("node").flatMap { $0.isEmpty ? nil : $0 }
        let tags = (form.first("tags") ?? "").split(separator: ",").map {
          VMTag(name: $0.trimmingCharacters(in: .whitespaces))
        }.filter { !$0.name.isEmpty }
        let defined = try await cluster.vms.define(
          VMDefinition(
            xml: form.first("xml") ?? "", node: node, tags: tags,
            initialState: form.first("start") == "yes" ? .start : .stop))
        return Self.redirect("/vms/\(HTML.urlComponent(defined.name).markup)", flash: "Defined VM \(defined.name).")
      }
    }
    router.post("/vms/:vm/xml") { request, context in
      let name = context.parameters.get("vm") ?? ""
      return try await action(request, .vmModify) { _, form in
        let restart = form.first("restart") == "yes"
        try await cluster.vms.modify(name, xml: form.first("xml") ?? "", restart: restart)
        return Self.redirect(
          "/vms/\(HTML.urlComponent(name).markup)",
          flash: restart ? "Saved the definition; the VM restarts with it." : "Saved the definition.")
      }
    }
    router.post("/vms/:vm/tags") { request, context in
      let name = context.parameters.get("vm") ?? ""
      return try await action(request, .vmChangeTag) { _, form in
        let tag = Self.clean(form.first("tag"))
        if form.first("action") == "remove" {
          try await cluster.vms.removeTag(name, tag)
        } else {
          try await cluster.vms.addTag(name, VMTag(name: tag, protected: form.first("protected") == "yes"))
        }
        return Self.redirect(
          "/vms/\(HTML.urlComponent(name).markup)",
          flash: form.first("action") == "remove" ? "Removed tag \(tag)." : "Added tag \(tag).")
      }
    }
    router.post("/vms/:vm/metadata") { request, context in
      let name = context.parameters.get("vm") ?? ""
      return try await action(request, .vmSetMetadata) { _, form in
        let limit = Self.clean(form.first("limit"))
        let downtime = Self.clean(form.first("migration_max_downtime"))
        guard downtime.isEmpty || Int(downtime) != nil else {
          throw WebError.badRequest("the most downtime is a number of milliseconds")
        }
        try await cluster.vms.setMetadata(
          name,
          VMMetadataChange(
            nodeLimit: limit.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
              !$0.isEmpty
            },
            nodeSelector: NodeSelector(rawValue: Self.clean(form.first("selector"))) ?? NodeSelector.none,
            autostart: form.first("autostart") == "yes",
            migrationMethod: MigrationMethod(rawValue: Self.clean(form.first("migration_method"))),
            migrationMaxDowntime: Int(downtime)))
        return Self.redirect(
          "/vms/\(HTML.urlComponent(name).markup)", flash: "Saved the placement and migration settings.")
      }
    }
    router.post("/vms/:vm/devices") { request, context in
      let name = context.parameters.get("vm") ?? ""
      return try await action(request, { $0.first("action") == "detach" ? .vmDeviceDetach : .vmDeviceAttach }) {
        session, form in
        let xml = form.first("xml") ?? ""
        let task =
          form.first("action") == "detach"
          ? try await cluster.vms.detachDevice(name, xml: xml) : try await cluster.vms.attachDevice(name, xml: xml)
        server.sessions.started(task.id, by: session.id)
        return Self.redirect("/vms/\(HTML.urlComponent(name).markup)", flash: "Queued \(task.name) on \(task.runOn).")
      }
    }
    router.get("/vms/:vm") { request, context in
      let name = context.parameters.get("vm") ?? ""
      return try await page(request) { session, flash in
        let vm = try await cluster.vms.info(name)
        let (cpu, memory) = server.history.record(
          uuid: vm.uuid, cpuTime: vm.vcpuStats["cpu_time"] ?? 0, rssKiB: vm.memoryStats["rss"] ?? 0)
        let log = (try? await cluster.vms.consoleLog(name, lines: 50)) ?? ""
        let nodes = try await cluster.nodes.list().map(\.name)
        return VMPages.detail(vm, nodes: nodes, cpu: cpu, memory: memory, log: log, session: session, flash: flash)
      }
    }
    router.post("/vms/:vm/action") { request, context in
      let name = context.parameters.get("vm") ?? ""
      return try await action(
        request, { $0.first("action").flatMap(VMMoveAction.init(rawValue:)) == nil ? .vmSetState : .vmSetNode }
      ) { session, form in try await vmAction(name, form: form, session: session) }
    }
    router.post("/nodes/:node/action") { request, context in
      let name = context.parameters.get("node") ?? ""
      return try await action(
        request,
        { ["primary", "secondary"].contains($0.first("action")) ? .nodeSetCoordinatorState : .nodeSetDomainState }
      ) { _, form in
        let message: String
        switch form.first("action") {
        case "primary": message = try await cluster.nodes.setCoordinatorState(name, .primary, wait: false)
        case "secondary": message = try await cluster.nodes.setCoordinatorState(name, .secondary, wait: false)
        case "flush": message = try await cluster.nodes.setDomainState(name, .flush, wait: false)
        case "ready": message = try await cluster.nodes.setDomainState(name, .ready, wait: false)
        default: throw WebError.badRequest("unknown node action")
        }
        return Self.redirect("/nodes/\(HTML.urlComponent(name).markup)", flash: message)
      }
    }
    router.get("/tasks") { request, _ in
      try await page(request) { session, flash in
        TaskPages.list(try await cluster.tasks.list(), session: session, flash: flash)
      }
    }
    router.post("/tasks/:task/cancel") { request, context in
      let id = context.parameters.get("task") ?? ""
      return try await action(request, .taskCancel) { _, _ in
        let task = try await cluster.tasks.cancel(id)
        return Self.redirect("/tasks", flash: "Asked task \(task.id) (\(task.name)) to stop.")
      }
    }
    router.post("/faults/ack") { request, _ in
      try await action(request, .faultAcknowledge) { _, form in
        let id = form.first("id") ?? ""
        if id == "all" { try await cluster.faults.acknowledgeAll() } else { try await cluster.faults.acknowledge([id]) }
        return Self.redirect("/", flash: id == "all" ? "Acknowledged every fault." : "Acknowledged fault \(id).")
      }
    }
    router.post("/maintenance") { request, _ in
      try await action(request, .clusterSetMaintenance) { _, form in
        let on = form.first("state") == "on"
        try await cluster.setMaintenance(on)
        return Self.redirect("/", flash: on ? "Maintenance mode is on." : "Maintenance mode is off.")
      }
    }
  }

  /// A VM action; stop and disable (and migrations) need a confirmation first.
  private func vmAction(_ name: String, form: RequestParameters, session: WebSession) async throws -> Response {
    let action = form.first("action") ?? ""
    let target = form.first("target").flatMap { $0.isEmpty ? nil : $0 }
    if ["stop", "disable", "move"].contains(action) && form.first("confirm") != "yes" {
      _ = try await cluster.vms.info(name)
      return Self.page(VMPages.confirm(name, action: action, target: target, session: session))
    }
    let vms = cluster.vms
    let message: String
    if let request = VMStateRequest(rawValue: action) {
      // A disable waits until the VM is off, as cluster.vms.disable does.
      try await vms.setState(name, request, force: false, wait: request == .disable)
      message = request.message(vm: name)
    } else if let move = VMMoveAction(rawValue: action) {
      let outcome =
        switch move {
        case .migrate: try await vms.migrate(name, to: target, force: false, forceLive: false, wait: false)
        case .unmigrate: try await vms.unmigrate(name, forceLive: false, wait: false)
        case .move: try await vms.move(name, to: target, forceLive: false, wait: false)
        }
      message = outcome.message(vm: name, action: move)
    } else {
      throw WebError.badRequest("unknown VM action")
    }
    return Self.redirect("/vms/\(HTML.urlComponent(name).markup)", flash: message)
  }

  // MARK: Sessions, forms, errors

  func session(_ request: Request) -> WebSession? {
    APIAuthenticator.cookie(WebSessions.cookie, in: request.headers).flatMap { server.sessions.session($0) }
  }

  /// A page for a logged-in browser (others go to the login page); errors become a page too.
  func page(_ request: Request, _ body: (WebSession, String?) async throws -> HTML) async throws -> Response {
    guard var session = session(request) else { return Self.redirect("/login") }
    session.tasks = await startedTasks(of: session)
    if !server.clusters.others.isEmpty { session.clusterName = WebCluster.current?.name ?? server.clusters.localName }
    let flash = RequestParameters(query: request.uri.query).first("done").map { String($0.prefix(300)) }
    do {
      return Self.page(try await body(session, flash))
    } catch {
      return Self.page(
        PageShell.page(
          "Not available", session: session, "<p class=\"error\" role=\"alert\">\(Self.reason(error))</p>"),
        status: Self.isNotFound(error) ? .notFound : .badRequest)
    }
  }

  /// The tasks a session started that are under way, or finished within ``recentTasks`` (from the watch-fed
  /// view: no extra reads).
  func startedTasks(of session: WebSession) async -> [ClusterTask] {
    let ids = server.sessions.startedTasks(of: session.id)
    guard !ids.isEmpty, let tasks = try? await cluster.tasks.list() else { return [] }
    let now = Date().timeIntervalSince1970
    return ids.compactMap { id in tasks.first { $0.id == id } }.filter {
      !$0.state.isFinished || now - $0.updated < Self.recentTasks
    }
  }

  /// How long a finished task stays on the pages of the session that started it, in seconds.
  static let recentTasks: Double = 300

  /// A form post that carries out `operation`: logged in, with the session's CSRF token, by a token whose role
  /// is the operation's (else refused); errors go back as a message. Recorded in the audit log.
  func action(
    _ request: Request, _ operation: OperationSpec,
    _ body: (WebSession, RequestParameters) async throws -> Response
  ) async throws -> Response {
    try await action(request, { _ in operation }, body)
  }

  /// A form post whose operation depends on the form (a section's several buttons).
  func action(
    _ request: Request, _ operation: (RequestParameters) -> OperationSpec,
    _ body: (WebSession, RequestParameters) async throws -> Response
  ) async throws -> Response {
    guard let session = session(request) else { return Self.redirect("/login") }
    let form = try await Self.form(request)
    guard Self.csrfMatches(form.first("csrf"), session) else { return Self.expired(session) }
    let spec = operation(form)
    let identity = session.identity
    guard identity.role >= spec.requiredRole else {
      let reason =
        "The \(identity.role.rawValue) token '\(identity.name)' may not \(spec.summary.lowercased()) "
        + "(\(spec.requiredRole.rawValue) needed)."
      await audit(request, spec, identity, method: "POST", status: 403, result: reason)
      return Self.page(
        PageShell.page(
          "Not allowed", session: session, "<p class=\"error\" role=\"alert\">\(reason)</p>"),
        status: .forbidden)
    }
    do {
      let response = try await body(session, form)
      await audit(request, spec, identity, method: "POST", status: Int(response.status.code), result: "done")
      return response
    } catch {
      await audit(request, spec, identity, method: "POST", status: 400, result: Self.reason(error))
      let back = request.headers[.referer].flatMap { URL(string: $0)?.path } ?? "/"
      return Self.redirect(
        back.hasPrefix("/") && !back.hasPrefix("//") ? back : "/", flash: "Failed: \(Self.reason(error))")
    }
  }

  /// Records a form post that changes (or tried to change) the cluster, or a console attached; an open operation
  /// (log out) is not.
  func audit(
    _ request: Request, _ spec: OperationSpec, _ identity: APIAuthenticator.Identity, method: String, status: Int,
    result: String
  ) async {
    guard !spec.isOpen, let zookeeper = cluster.zookeeper else { return }
    let entry = AuditEntry(
      who: identity.name, role: identity.role.rawValue, client: WebClientAddress.current, operation: spec.id,
      method: method, path: request.uri.path, status: status, result: result)
    server.auditLogger.notice("\(entry.line)")
    do {
      try await AuditLog.append(entry, zookeeper: zookeeper)
    } catch {
      server.auditLogger.warning("the audit log could not be written: \(error)")
    }
  }

  /// Whether a form's CSRF token is the session's.
  static func csrfMatches(_ token: String?, _ session: WebSession) -> Bool {
    guard let token else { return false }
    return APIAuthenticator.constantTimeEquals(Array(token.utf8), Array(session.csrf.utf8))
  }

  /// The answer to a form whose CSRF token is not the session's.
  static func expired(_ session: WebSession) -> Response {
    page(
      PageShell.page(
        "Refused", session: session,
        "<p class=\"error\" role=\"alert\">This form has expired. Go back, reload and try again.</p>"),
      status: .forbidden)
  }

  /// The login form, with a CSRF token also set in a short-lived cookie (the
  /// post must carry both: another site's page cannot read the cookie).
  private func loginForm(error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
    let csrf = WebSessions.random()
    var response = Self.page(LoginPage.render(csrf: csrf, error: error), status: status)
    response.headers[.setCookie] =
      "\(WebSessions.loginCookie)=\(csrf); Path=/login; Max-Age=3600; HttpOnly; SameSite=Strict\(secure)"
    return response
  }

  private var secure: String { server.settings.certificateFile == nil ? "" : "; Secure" }

  private func login(_ request: Request, client: String) async throws -> Response {
    let form = try await Self.form(request)
    guard let sent = form.first("csrf"),
      let expected = APIAuthenticator.cookie(WebSessions.loginCookie, in: request.headers),
      APIAuthenticator.constantTimeEquals(Array(sent.utf8), Array(expected.utf8))
    else {
      return loginForm(error: "This form has expired. Please log in again.", status: .forbidden)
    }
    let throttle = server.authenticator.throttle
    if let wait = throttle.retryAfter(client) {
      return loginForm(error: "Too many failed logins; try again in \(wait) seconds.", status: .tooManyRequests)
    }
    guard let identity = server.authenticator.identity(of: form.first("token") ?? "") else {
      throttle.recordFailure(client)
      return loginForm(error: "That token is not valid.", status: .unauthorized)
    }
    throttle.recordSuccess(client)
    let session = server.sessions.open(for: identity)
    var response = Self.redirect("/")
    response.headers[.setCookie] = "\(WebSessions.cookie)=\(session.id); Path=/; HttpOnly; SameSite=Strict\(secure)"
    return response
  }

  static func form(_ request: Request) async throws -> RequestParameters {
    let buffer = try await request.body.collect(upTo: 1 << 20)
    return RequestParameters(query: nil, form: buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes))
  }

  static func clean(_ text: String?) -> String {
    String((text ?? "").filter { !$0.isNewline && $0 != "\0" }.prefix(200))
  }

  static func reason(_ error: any Error) -> String { String(describing: error) }

  /// Whether the page's object does not exist (PVCKit's error kinds, Documentation/Errors.md).
  static func isNotFound(_ error: any Error) -> Bool { ErrorKind(of: error) == .notFound }

  static func page(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
    var response = response(html.markup, type: "text/html; charset=utf-8")
    response.status = status
    return response
  }

  static func response(_ text: String, type: String, cache: Bool = false) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = type
    headers[.cacheControl] = cache ? "max-age=3600" : "no-store"
    headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
    headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
    // The UI's own script only (live updates, Assets/LiveScript): never inline script, never another site's.
    headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'self'; style-src 'self'; script-src 'self'"
    return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
  }

  /// A "see other" redirect, with a message for the next page.
  static func redirect(_ path: String, flash: String? = nil) -> Response {
    var headers = HTTPFields()
    headers[.location] = path + (flash.map { "?done=\(HTML.urlComponent($0).markup)" } ?? "")
    return Response(status: .seeOther, headers: headers)
  }
}

/// A request the UI cannot act on.
enum WebError: Error, CustomStringConvertible {
  case badRequest(String)
  var description: String {
    switch self {
    case .badRequest(let reason): reason
    }
  }
}
