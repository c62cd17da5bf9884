import Foundation
import HTTPTypes
import PVCKitFixtures
import Testing

@testable import PVCKit
@testable import PVCKitAPI

/// Tokens with roles (read-only, operator, administrator) and the audit log of state-changing calls.
@Suite("roles and the audit log")
struct AccessRoleTests {
  static let credentials = [
    APICredential(token: "viewer-token-0123456789", name: "viewer", role: .readOnly),
    APICredential(token: "operator-token-0123456789", name: "ops", role: .operator),
    APICredential(token: "admin-token-0123456789", name: "root", role: .administrator),
  ]

  @Test("every operation declares a role: reads read-only (but backup and audit log), lifecycle and consoles operator")
  func catalogRoles() {
    for spec in OperationSpec.all where !spec.isOpen {
      if [OperationSpec.vmConsoleAttach.id, OperationSpec.vmGraphicsAttach.id].contains(spec.id) {
        #expect(spec.requiredRole == .operator, "typing into a console changes a guest")
      } else if spec.method == .get {
        let expected: AccessRole = ["cluster.backup", "cluster.audit"].contains(spec.id) ? .administrator : .readOnly
        #expect(spec.requiredRole == expected, "\(spec.id)")
      } else {
        #expect(spec.requiredRole >= .operator, "\(spec.id) changes something: at least an operator")
      }
    }
    #expect(OperationSpec.vmSetState.requiredRole == .operator)
    #expect(OperationSpec.vmDefine.requiredRole == .administrator)
    #expect(OperationSpec.nodeSetDomainState.requiredRole == .operator)
    #expect(OperationSpec.clusterRestore.requiredRole == .administrator)
    // Every operator operation exists in the catalog (a renamed one would silently need an administrator).
    let ids = Set(OperationSpec.all.map(\.id))
    #expect(OperationSpec.operatorOperations.isSubset(of: ids))
  }

  @Test("pvc.conf gives tokens a role; upstream's tokens are administrators; a wrong role is named")
  func configurationRoles() throws {
    let fixture = try String(contentsOfFile: PVCDTests.config, encoding: .utf8)
    let configuration = try PVCConfiguration.parse(fixture, file: "pvc.conf")
    #expect(configuration.api.credentials.map(\.role) == [.administrator])
    #expect(configuration.api.credentials.map(\.name) == ["testing"])
    let scoped = fixture.replacingOccurrences(
      of: "    - description: \"testing\"\n      token: \"abcdef0123456789\"\n",
      with: "    - description: \"testing\"\n      token: \"abcdef0123456789\"\n      role: read-only\n"
        + "    - token: \"operator0123456789\"\n      role: operator\n")
    let parsed = try PVCConfiguration.parse(scoped, file: "pvc.conf").api.credentials
    #expect(parsed.map(\.role) == [.readOnly, .operator])
    #expect(parsed.map(\.name) == ["testing", "token 2"])
    let wrong = scoped.replacingOccurrences(of: "role: operator", with: "role: root")
    #expect {
      try PVCConfiguration.parse(wrong, file: "pvc.conf")
    } throws: {
      "\($0)".contains("api.token[1].role") && "\($0)".contains("read-only, operator, administrator")
    }
  }

  @Test("every route with every role: refused (403) below the operation's role, never refused at or above it")
  func everyRouteEveryRole() async throws {
    var settings = APIServer.Settings(authenticationEnabled: true, maxBodySize: 1 << 20)
    settings.credentials = Self.credentials
    try await APITestHarness.with(vms: 2, settings: settings) { api in
      let before = try await api.cluster.backup()
      var checked = 0
      for route in api.server.routes where !route.isOpen {
        let path = route.pathParameters.reduce(route.path) { $0.replacingOccurrences(of: "{\($1)}", with: "nothere") }
        for credential in Self.credentials {
          // Below the role: refused before anything is read. At or above it, only the cheap refusals are sent
          // (a path that names nothing), so the walk changes nothing either way.
          guard credential.role < route.spec.requiredRole || route.method == .get || !route.pathParameters.isEmpty
          else { continue }
          let response = try await api.call(route.method, path, [], key: credential.token)
          checked += 1
          if credential.role < route.spec.requiredRole {
            #expect(response.status == 403, "\(credential.name) \(route.method) \(path): \(response.status)")
            #expect(response.text.contains("may not") && response.text.contains(route.spec.requiredRole.rawValue))
          } else {
            #expect(
              ![401, 403].contains(response.status), "\(credential.name) \(route.method) \(path): \(response.text)")
          }
        }
      }
      #expect(checked > 300)
      #expect(try await api.cluster.backup().sameData(as: before), "a refused call changed the cluster")

      // A read-only login session is read-only too.
      let login = try await api.call(.post, "/login", [("token", Self.credentials[0].token)], form: true, key: nil)
      let cookie = try #require(login.headers[.setCookie]?.split(separator: ";").first.map(String.init))
      let csrf = try #require((login.json as? [String: Any])?["csrf_token"] as? String)
      var headers = HTTPFields()
      headers[.cookie] = cookie
      headers[HTTPField.Name("X-CSRF-Token")!] = csrf
      let refused = try await api.call(.post, "/status", [("state", "true")], form: true, key: nil, headers: headers)
      #expect(refused.status == 403)
      #expect(try await api.cluster.status().maintenance == false)
    }
  }

  @Test("the audit log records each change: who, role, where from, what, the answer; refusals too; not reads")
  func auditLog() async throws {
    var settings = APIServer.Settings(authenticationEnabled: true, maxBodySize: 1 << 20)
    settings.credentials = Self.credentials
    try await APITestHarness.with(vms: 2, settings: settings) { api in
      let vm = UpstreamSeeder.name(1)
      #expect(
        try await api.call(.post, "/status", [("state", "true")], form: true, key: "operator-token-0123456789").status
          == 200)
      #expect(
        try await api.call(.post, "/vm/\(vm)/state", [("state", "disable")], key: "viewer-token-0123456789").status
          == 403)
      #expect(try await api.call(.post, "/status", [("state", "false")], key: "wrong-token").status == 401)
      #expect(try await api.call(.get, "/vm", key: "admin-token-0123456789").status == 200)

      let entries = try await api.cluster.audit(last: 10)
      #expect(entries.count == 3, "reads are not recorded: \(entries.map(\.line))")
      guard entries.count == 3 else { return }
      #expect(entries[0].who == "ops" && entries[0].role == "operator" && entries[0].status == 200)
      #expect(entries[0].operation == "cluster.set-maintenance" && entries[0].method == "POST")
      #expect(entries[0].path == "/api/v1/status")
      #expect(entries[1].who == "viewer" && entries[1].status == 403 && entries[1].path == "/api/v1/vm/\(vm)/state")
      #expect(entries[2].who == "(not identified)" && entries[2].status == 401)
      #expect(entries.allSatisfy { !$0.client.isEmpty && $0.time > Date().timeIntervalSince1970 - 600 })

      // Through the API (administrators only) and the HTTP client, the same entries.
      #expect(try await api.call(.get, "/audit", key: "operator-token-0123456789").status == 403)
      let listed = try await api.call(.get, "/audit", [("limit", "2")], key: "admin-token-0123456789")
      #expect(listed.status == 200)
      let decoded = try JSONDecoder().decode([AuditEntry].self, from: listed.body)
      #expect(decoded == Array(entries.suffix(2)))
      // Not in backups, and a restore leaves it as it is.
      let backup = try await api.cluster.backup()
      #expect(!backup.entries.keys.contains { $0.hasPrefix(AuditLog.root) })
      try await api.cluster.restore(backup)
      #expect(try await api.cluster.audit(last: 10).count >= 3)
    }
  }

  @Test("the audit log keeps its newest entries")
  func auditTrim() async throws {
    let hosts = try await TestServices.chroot()
    let zk = try await ZooKeeper.connect(to: hosts)
    defer { Task { await zk.close() } }
    for n in 0..<25 {
      try await AuditLog.append(
        AuditEntry(
          who: "t\(n)", role: "operator", client: "127.0.0.1", operation: "x", method: "POST", path: "/", status: 200,
          result: "OK"),
        zookeeper: zk)
    }
    try await AuditLog.trim(zookeeper: zk, keeping: 10)
    let kept = try await AuditLog.entries(last: 100, zookeeper: zk)
    #expect(kept.map(\.who) == (15..<25).map { "t\($0)" })
    // A garbage entry is left out, not fatal.
    try await zk.create(AuditLog.root + "/e9999999999", "not json")
    #expect(try await AuditLog.entries(last: 100, zookeeper: zk).count == 10)
  }
}
