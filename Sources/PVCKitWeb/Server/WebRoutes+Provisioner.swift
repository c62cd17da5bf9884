import Hummingbird
import PVCKit
import PVCKitServer

/// The provisioner page's routes: the page, a form per kind of object, and removal (asked first).
extension WebRoutes {
  func registerProvisioner(on router: Router<PVCRequestContext>) {
    router.get("/provisioner") { request, _ in
      try await page(request) { session, flash in
        async let profiles = cluster.provisioner.profiles(limit: nil)
        async let templates = cluster.provisioner.templates(limit: nil)
        async let userdata = cluster.provisioner.userdata(limit: nil)
        async let scripts = cluster.provisioner.scripts(limit: nil)
        async let ovas = cluster.provisioner.ovas(limit: nil)
        return ProvisionerPages.overview(
          .init(
            profiles: try await profiles, templates: try await templates, userdata: try await userdata,
            scripts: try await scripts, ovas: try await ovas), session: session, flash: flash)
      }
    }
    router.get("/provisioner/tasks/:id") { request, context in
      let id = context.parameters.get("id") ?? ""
      return try await page(request) { session, flash in
        ProvisionerPages.task(try await cluster.tasks.task(id), session: session, flash: flash)
      }
    }
    router.post("/provisioner-ova/upload") { request, _ in try await ovaUpload(request) }
    router.post("/provisioner/:form") { request, context in
      let form = context.parameters.get("form") ?? ""
      return try await action(request, .provisionerProfileAdd) { session, fields in
        try await provisionerAction(form, fields, session: session)
      }
    }
  }

  /// One form of the page.
  private func provisionerAction(_ form: String, _ fields: RequestParameters, session: WebSession) async throws
    -> Response
  {
    let name = fields.first("name") ?? ""
    func given(_ field: String) -> String? { fields.first(field).flatMap { $0.isEmpty ? nil : $0 } }
    func number(_ field: String) throws -> Int? {
      guard let text = given(field) else { return nil }
      guard let value = Int(text) else { throw WebError.badRequest("\(field) must be a whole number") }
      return value
    }
    let provisioner = cluster.provisioner
    let done: String
    switch form {
    case "profiles":
      let arguments = (fields.first("args") ?? "").split(whereSeparator: \.isNewline).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      try await provisioner.addProfile(
        name,
        .init(
          type: .provisioner, systemTemplate: given("system_template"), networkTemplate: given("network_template"),
          storageTemplate: given("storage_template"), userdata: given("userdata"), script: given("script"),
          arguments: arguments))
      done = "Created VM profile \(name)."
    case "system":
      try await provisioner.addSystemTemplate(
        name,
        .init(
          vcpus: try number("vcpus"), vramMB: try number("vram"), serial: fields.first("serial") == "true",
          vnc: fields.first("vnc") == "true",
          nodeLimit: given("node_limit").map { $0.split(separator: ",").map(String.init) }))
      done = "Added system template \(name)."
    case "network":
      try await provisioner.addNetworkTemplate(name, macTemplate: given("mac_template"))
      done = "Added network template \(name)."
    case "network-vni":
      let template = fields.first("template") ?? ""
      try await provisioner.addTemplateNetwork(template, vni: fields.first("vni") ?? "", permitDuplicate: false)
      done = "Added the network to template \(template)."
    case "storage":
      try await provisioner.addStorageTemplate(name)
      done = "Added storage template \(name)."
    case "storage-disk":
      let template = fields.first("template") ?? ""
      try await provisioner.addTemplateDisk(
        template, diskID: fields.first("disk_id") ?? "",
        .init(
          pool: fields.first("pool") ?? "", sourceVolume: given("source_volume"), sizeGB: try number("disk_size"),
          filesystem: given("filesystem"), mountpoint: given("mountpoint")))
      done = "Added the disk to template \(template)."
    case "userdata":
      try await provisioner.addUserdata(name, data: Self.lines(fields.first("data") ?? ""))
      done = "Created userdata document \(name)."
    case "script":
      try await provisioner.addScript(name, data: Self.lines(fields.first("data") ?? ""))
      done = "Created script \(name)."
    case "create":
      let arguments = (fields.first("args") ?? "").split(whereSeparator: \.isNewline).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      let task = try await provisioner.create(
        .init(
          name: name, profile: fields.first("profile") ?? "", start: fields.first("start") == "true",
          arguments: arguments))
      server.sessions.started(task.id, by: session.id)
      return Self.redirect("/provisioner/tasks/\(HTML.urlComponent(task.id).markup)")
    case "cancel":
      let id = fields.first("task") ?? ""
      _ = try await cluster.tasks.cancel(id)
      return Self.redirect("/provisioner/tasks/\(HTML.urlComponent(id).markup)", flash: "Asked task \(id) to stop.")
    case "remove":
      return try await provisionerRemoval(
        fields.first("kind") ?? "", name, confirmed: fields.first("confirm") == "yes", session: session)
    default:
      throw WebError.badRequest("unknown form")
    }
    return Self.redirect("/provisioner", flash: done)
  }

  /// An OVA image uploaded from the browser: a multipart form whose fields (CSRF token, name, pool) come before
  /// its file, which is streamed on into Ceph as it arrives (its size bounded by the request's length).
  private func ovaUpload(_ request: Request) async throws -> Response {
    guard let session = session(request) else { return Self.redirect("/login") }
    do {
      let (fields, file) = try await UploadBody.form(
        of: request.body, contentType: request.headers[.contentType] ?? "")
      guard Self.csrfMatches(fields["csrf"], session) else { return Self.expired(session) }
      guard session.identity.role >= OperationSpec.provisionerOVAUpload.requiredRole else {
        throw WebError.badRequest(
          "the \(session.identity.role.rawValue) token '\(session.identity.name)' may not upload OVA images")
      }
      guard let length = request.headers[.contentLength].flatMap({ UInt64($0) }), length > 0 else {
        throw WebError.badRequest("the upload needs its length (a Content-Length header)")
      }
      let name = fields["name"] ?? ""
      try await cluster.provisioner.uploadOVA(name, pool: fields["pool"] ?? "", size: length, from: .stream(file))
      return Self.redirect("/provisioner", flash: "Imported OVA image \(name); its profile is \(name).")
    } catch {
      return Self.redirect("/provisioner", flash: "Failed: \(Self.reason(error))")
    }
  }

  /// A form's text with the browser's CR LF line ends made LF (a script's #! line must not end in CR).
  static func lines(_ text: String) -> String { text.replacingOccurrences(of: "\r\n", with: "\n") }

  private func provisionerRemoval(_ kind: String, _ name: String, confirmed: Bool, session: WebSession) async throws
    -> Response
  {
    let kinds: [String: (String, @Sendable (String) async throws -> Void)] = [
      "profile": ("profile", { try await cluster.provisioner.removeProfile($0) }),
      "system": ("system template", { try await cluster.provisioner.removeSystemTemplate($0) }),
      "network": ("network template", { try await cluster.provisioner.removeNetworkTemplate($0) }),
      "storage": ("storage template", { try await cluster.provisioner.removeStorageTemplate($0) }),
      "userdata": ("userdata document", { try await cluster.provisioner.removeUserdata($0) }),
      "script": ("script", { try await cluster.provisioner.removeScript($0) }),
      "ova": (
        "OVA image (and its volumes, profile and system template)", { try await cluster.provisioner.removeOVA($0) }
      ),
    ]
    guard let (label, remove) = kinds[kind] else { throw WebError.badRequest("unknown kind") }
    guard confirmed else {
      return Self.page(
        NetworkPages.confirm(
          "Really remove \(label) \(name)?", action: "/provisioner/remove", fields: [("kind", kind), ("name", name)],
          back: "/provisioner", session: session))
    }
    try await remove(name)
    return Self.redirect("/provisioner", flash: "Removed \(label) \(name).")
  }
}
