import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PVCKit
import PVCKitFixtures
import Testing

@testable import PVCKitWeb

/// The web UI's forms with tokens of each role: each form declares the operation it carries out, and a token
/// below that operation's role is refused with nothing changed; what is done (or refused) is in the audit log.
@Suite("web UI roles")
struct WebAccessTests {
  /// Every form the UI posts to (the UI's routes with sample path values), with what a form would send.
  static let forms: [(path: String, fields: [(String, String)])] = [
    ("/networks", [("vni", "300"), ("description", "n300"), ("type", "bridged")]),
    ("/networks/100/reservations", [("ip", "10.100.0.9"), ("mac", "52:54:00:00:00:09"), ("hostname", "h")]),
    ("/networks/100/reservations/remove", [("mac", "52:54:00:00:00:09"), ("confirm", "yes")]),
    ("/networks/100/acls", [("direction", "in"), ("description", "r"), ("rule", "tcp dport 22 drop")]),
    ("/networks/100/acls/remove", [("direction", "in"), ("description", "r"), ("confirm", "yes")]),
    ("/networks/100/remove", [("confirm", "yes")]),
    ("/vms/\(UpstreamSeeder.name(1))/action", [("action", "stop"), ("confirm", "yes")]),
    ("/vms/\(UpstreamSeeder.name(1))/action", [("action", "migrate"), ("target", "hv2")]),
    ("/vms/\(UpstreamSeeder.name(1))/snapshots", [("action", "create"), ("snapshot", "s1")]),
    ("/vms/new", [("xml", "<domain/>")]),
    ("/vms/\(UpstreamSeeder.name(1))/xml", [("xml", "<domain/>")]),
    ("/vms/\(UpstreamSeeder.name(1))/tags", [("action", "add"), ("tag", "t1")]),
    ("/vms/\(UpstreamSeeder.name(1))/metadata", [("selector", "mem"), ("autostart", "yes")]),
    ("/vms/\(UpstreamSeeder.name(1))/devices", [("action", "attach"), ("xml", "<disk/>")]),
    ("/vms/\(UpstreamSeeder.name(1))/snapshots", [("action", "remove"), ("snapshot", "s1"), ("confirm", "yes")]),
    ("/nodes/hv1/action", [("action", "flush")]),
    ("/nodes/hv1/action", [("action", "secondary")]),
    ("/faults/ack", [("id", "all")]),
    ("/tasks/0000abcd/cancel", []),
    ("/maintenance", [("state", "on")]),
    ("/dns", [("zone", "example.test")]),
    ("/dns/example.test/remove", [("confirm", "yes")]),
    ("/dns/example.test/records", [("name", "www"), ("type", "A"), ("content", "10.0.0.1")]),
    ("/dns/example.test/records/remove", [("id", "1"), ("confirm", "yes")]),
    ("/provisioner/userdata", [("name", "u1"), ("userdata", "#cloud-config")]),
    ("/storage/pools", [("pool", "p1"), ("pgs", "8")]),
    ("/storage/pools/p1/remove", [("confirm", "yes")]),
    ("/storage/osds/0/state", [("state", "out"), ("confirm", "yes")]),
    ("/storage/volumes", [("pool", "p1"), ("volume", "v1"), ("size", "1G")]),
    ("/storage/volumes/p1/v1/resize", [("size", "2G")]),
    ("/storage/volumes/p1/v1/snapshots/add", [("snapshot", "s1")]),
  ]

  @Test("a read-only login changes nothing through any form; an operator runs the lifecycle; both are audited")
  func rolesOnForms() async throws {
    try await WebRouteTests.withServer(vms: 2, credentials: AccessRoleTests.credentials) { client, cluster in
      let before = try await cluster.backup()
      let viewer = try await WebRouteTests.Browser.loggedIn("viewer-token-0123456789", client: client, cluster: cluster)
      let csrf = try #require(try await viewer.get("/").csrf)
      for form in Self.forms {
        let page = try await viewer.send(.post, form.path, form: [("csrf", csrf)] + form.fields)
        #expect(page.status == 403, "read-only \(form.path) \(form.fields.first?.1 ?? ""): \(page.status)")
        #expect(page.html.contains("may not"), "\(form.path)")
      }
      let upload = try await viewer.sendMultipart(
        "/provisioner-ova/upload", fields: [("csrf", csrf), ("name", "o1"), ("pool", "p1")], file: [1, 2, 3])
      #expect(upload.headers[.location]?.contains("may%20not") ?? false, "\(upload.headers)")
      #expect(try await cluster.backup().sameData(as: before), "a read-only login changed the cluster")

      // An operator: maintenance yes, a pool no.
      let ops = try await WebRouteTests.Browser.loggedIn("operator-token-0123456789", client: client, cluster: cluster)
      let opsCSRF = try #require(try await ops.get("/").csrf)
      #expect(try await ops.send(.post, "/maintenance", form: [("csrf", opsCSRF), ("state", "on")]).status == 303)
      #expect(try await cluster.status().maintenance)
      #expect(try await ops.send(.post, "/storage/pools", form: [("csrf", opsCSRF), ("pool", "p1")]).status == 403)

      let entries = try await cluster.audit(last: 100)
      #expect(entries.filter { $0.who == "viewer" && $0.status == 403 }.count == Self.forms.count)
      #expect(entries.contains { $0.who == "ops" && $0.operation == "cluster.set-maintenance" && $0.status == 303 })
      #expect(entries.contains { $0.who == "ops" && $0.operation == "storage.pool-add" && $0.status == 403 })
      // In process there is no socket: the request context's stand-in address, not a placeholder of the UI's.
      #expect(entries.allSatisfy { $0.client == "local" }, "\(entries.map(\.client))")
    }
  }

  @Test("the list of forms above is every form the UI has")
  func everyFormListed() throws {
    let folder = TestServices.root.appendingPathComponent("Sources/PVCKitWeb/Server")
    var posts = Set<String>()
    for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
      let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
      var rest = text[...]
      while let start = rest.range(of: "router.post(\"") {
        let after = rest[start.upperBound...]
        guard let end = after.firstIndex(of: "\"") else { break }
        posts.insert(String(after[..<end]))
        rest = after[end...]
      }
    }
    // The forms' paths with their parameters put back.
    let listed = Set(
      Self.forms.map { form in
        form.path.split(separator: "/").enumerated().map { index, part in
          let parts = form.path.split(separator: "/")
          switch (parts.first, index) {
          case ("networks", 1): return ":vni"
          case ("vms", 1) where parts[1] != "new": return ":vm"
          case ("nodes", 1): return ":node"
          case ("tasks", 1): return ":task"
          case ("dns", 1): return ":zone"
          case ("dns", 3): return ":verb"
          case ("provisioner", 1): return ":form"
          case ("storage", 2) where parts[1] == "pools": return ":pool"
          case ("storage", 2) where parts[1] == "osds": return ":osd"
          case ("storage", 2) where parts[1] == "volumes": return ":pool"
          case ("storage", 3) where parts[1] == "volumes": return ":volume"
          case ("storage", 4) where parts[1] == "volumes" && parts.count == 5: return ":verb"
          case ("storage", 5) where parts[1] == "volumes": return ":verb"
          default: return String(part)
          }
        }.reduce("") { $0 + "/" + $1 }
      })
    // Logging in and out, the upload (checked above on its own) and choosing which cluster to look at (which
    // changes nothing) are not operations of a role.
    let unlisted = posts.subtracting(listed).subtracting([
      "/login", "/logout", "/provisioner-ova/upload", "/clusters/choose",
    ])
    #expect(unlisted.isEmpty, "forms the role walk does not try: \(unlisted.sorted())")
  }
}

/// The tasks page.
@Suite("web UI tasks page")
struct WebTaskPageTests {
  @Test("queued tasks with their progress; cancel only where the kind can stop and the role allows; flagged")
  func tasksPage() async throws {
    try await WebRouteTests.withServer(vms: 1, credentials: AccessRoleTests.credentials) { client, cluster in
      try await cluster.zookeeper!.set(try Layout.node("hv1").path(.daemonState), "run")
      // Nobody runs tasks here: they stay queued.
      let create = try await cluster.tasks.submit("provisioner.create", runOn: "hv1", arguments: ["name": "web9"])
      let flush = try await cluster.tasks.submit("node.flush", runOn: "hv1", arguments: [:])
      let admin = try await WebRouteTests.Browser.loggedIn("admin-token-0123456789", client: client, cluster: cluster)
      let page = try await admin.get("/tasks")
      #expect(page.status == 200)
      #expect(page.html.contains("Queued (2)") && page.html.contains("Running (0)"), "\(page.html)")
      #expect(page.html.contains(create.id) && page.html.contains(flush.id))
      #expect(page.html.contains("<progress value=\"0\" max=\"1\">"))
      #expect(page.html.contains("/tasks/\(create.id)/cancel"), "a create can be cancelled")
      #expect(!page.html.contains("/tasks/\(flush.id)/cancel"), "a flush runs to its end")
      #expect(
        page.html.contains("<noscript><meta http-equiv=\"refresh\" content=\"3\"></noscript>"),
        "under way: the page reads itself again")
      let cancelled = try await admin.send(.post, "/tasks/\(create.id)/cancel", form: [("csrf", page.csrf ?? "")])
      #expect(cancelled.status == 303 && (cancelled.headers[.location] ?? "").contains("Asked%20task"))
      #expect(try await cluster.zookeeper!.exists(try Layout.taskCancel(create.id)) != nil)
      let refused = try await admin.send(.post, "/tasks/\(flush.id)/cancel", form: [("csrf", page.csrf ?? "")])
      #expect((refused.headers[.location] ?? "").contains("Failed"))

      let viewer = try await WebRouteTests.Browser.loggedIn("viewer-token-0123456789", client: client, cluster: cluster)
      let seen = try await viewer.get("/tasks")
      #expect(seen.html.contains(create.id) && !seen.html.contains("/cancel\""), "a read-only login gets no cancel")
    }
  }
}

/// The forms that define and edit VMs.
@Suite("web UI VM forms")
struct WebVMFormTests {
  @Test("define a VM from XML (checked, nothing written when refused), edit its XML, add and remove tags")
  func defineAndEdit() async throws {
    try await WebRouteTests.withBrowser(vms: 1) { browser in
      let form = try await browser.get("/vms/new")
      #expect(form.status == 200 && form.html.contains("<textarea id=\"xml\" name=\"xml\""))
      let csrf = try #require(form.csrf)
      #expect(try await browser.get("/vms").html.contains("href=\"/vms/new\""))

      // Refused: not XML, and a definition that reaches the host; nothing is defined.
      let before = try await browser.cluster.vms.list().count
      let bad = try await browser.send(.post, "/vms/new", form: [("csrf", csrf), ("xml", "<domain><name>x")])
      #expect(bad.status == 303 && (bad.headers[.location] ?? "").contains("Failed"))
      #expect(try await browser.cluster.vms.list().count == before)

      let uuid = UUID().uuidString.lowercased()
      let defined = try await browser.send(
        .post, "/vms/new",
        form: [
          ("csrf", csrf), ("xml", TestGuests.xml(name: "formvm", uuid: uuid)), ("node", "hv2"), ("tags", "web, prod"),
        ])
      #expect(defined.status == 303 && defined.headers[.location]?.hasPrefix("/vms/formvm") == true)
      let vm = try await browser.cluster.vms.info("formvm")
      #expect(vm.uuid == uuid && vm.node == "hv2" && vm.state == .stop)
      #expect(Set(vm.tags.map(\.name)) == ["web", "prod"])

      let page = try await browser.get("/vms/formvm")
      #expect(page.html.contains("Edit the libvirt XML") && page.html.contains("action=\"/vms/formvm/tags\""))
      let edited = TestGuests.xml(name: "formvm", uuid: uuid).replacingOccurrences(
        of: "PVCKit test guest", with: "edited in the browser")
      let saved = try await browser.send(.post, "/vms/formvm/xml", form: [("csrf", csrf), ("xml", edited)])
      #expect((saved.headers[.location] ?? "").contains("Saved"))
      #expect(try await browser.cluster.vms.info("formvm").xml.contains("edited in the browser"))
      let broken = try await browser.send(.post, "/vms/formvm/xml", form: [("csrf", csrf), ("xml", "<nope")])
      #expect((broken.headers[.location] ?? "").contains("Failed"))
      #expect(try await browser.cluster.vms.info("formvm").xml.contains("edited in the browser"))

      _ = try await browser.send(.post, "/vms/formvm/tags", form: [("csrf", csrf), ("action", "add"), ("tag", "db")])
      _ = try await browser.send(
        .post, "/vms/formvm/tags", form: [("csrf", csrf), ("action", "remove"), ("tag", "web")])
      #expect(Set(try await browser.cluster.vms.info("formvm").tags.map(\.name)) == ["prod", "db"])
    }
  }
}

extension WebVMFormTests {
  @Test("a VM's placement and migration settings from its page; a device attached as a task whose progress shows")
  func metadataAndDevices() async throws {
    try await WebRouteTests.withBrowser(vms: 1) { browser in
      let vm = UpstreamSeeder.name(1)
      let page = try await browser.get("/vms/\(vm)")
      #expect(
        page.html.contains("action=\"/vms/\(vm)/metadata\"") && page.html.contains("action=\"/vms/\(vm)/devices\""))
      let csrf = try #require(page.csrf)
      let saved = try await browser.send(
        .post, "/vms/\(vm)/metadata",
        form: [
          ("csrf", csrf), ("limit", "hv1, hv2"), ("selector", "load"), ("autostart", "yes"),
          ("migration_method", "live"), ("migration_max_downtime", "500"),
        ])
      #expect(saved.status == 303 && (saved.headers[.location] ?? "").contains("Saved"), "\(saved.headers)")
      let info = try await browser.cluster.vms.info(vm)
      #expect(info.nodeLimit == ["hv1", "hv2"] && info.nodeSelector == "load" && info.nodeAutostart)
      #expect(info.migrationMethod == "live" && info.migrationMaxDowntime == 500)
      // Bad values are refused by PVCKit's checks, nothing changed.
      let bad = try await browser.send(
        .post, "/vms/\(vm)/metadata", form: [("csrf", csrf), ("limit", "hv9"), ("migration_max_downtime", "x")])
      #expect((bad.headers[.location] ?? "").contains("Failed"))
      #expect(try await browser.cluster.vms.info(vm).nodeLimit == ["hv1", "hv2"])

      let disk =
        "<disk type='network' device='disk'><source protocol='rbd' name='vms/x'/><target dev='sdz' bus='scsi'/></disk>"
      let attached = try await browser.send(
        .post, "/vms/\(vm)/devices", form: [("csrf", csrf), ("action", "attach"), ("xml", disk)])
      #expect(attached.status == 303)
      let task = try #require(try await browser.cluster.tasks.list().first { $0.name == "vm.device_attach" })
      let back = try await browser.get(attached.headers[.location] ?? "/")
      #expect(back.html.contains("id=\"started-tasks\"") && back.html.contains(task.id), "\(back.html.prefix(3000))")
    }
  }
}

/// Live pages: server-sent events and the script that follows them.
@Suite("web UI live updates")
struct WebLiveTests {
  @Test(
    "/events sends a change at once and again when the cluster changes; pages load the script, keep a no-script refresh"
  )
  func events() async throws {
    try await WebRouteTests.withBrowser(vms: 2) { browser in
      let page = try await browser.get("/tasks")
      #expect(page.html.contains("<script src=\"/static/pvc.js\" defer></script>"))
      #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("script-src 'self'") == true)
      let script = try await browser.get("/static/pvc.js")
      #expect(script.status == 200 && script.html.contains("new EventSource(\"/events\")"))
      #expect(try await browser.get("/login").html.contains("pvc.js") == false, "no script before logging in")

      // A change one second into a ten-second stream (room for a loaded machine: the views follow ZooKeeper's
      // watches, and the stream looks once a second).
      let cluster = browser.cluster
      let change = Task {
        try await Task.sleep(for: .seconds(1))
        _ = try await cluster.setMaintenance(true)
      }
      let stream = try await browser.get("/events?seconds=10")
      try await change.value
      #expect(stream.status == 200 && stream.headers[.contentType] == "text/event-stream")
      let events = stream.html.components(separatedBy: "event: change\n").count - 1
      #expect(events >= 2, "\(stream.html)")
      #expect(stream.html.hasPrefix("retry: 2000\n\n") && stream.html.contains("id: 2\n"))

      var anonymous = browser
      anonymous.cookie = nil
      #expect(try await anonymous.get("/events?seconds=1").status == 401)
    }
  }
}
