import Foundation
import PVCKit
import Testing

/// The web UI's OVA upload against the real Ceph and Galera: the browser's multipart form streamed into a volume.
extension WebRouteTests {
  @Test("an OVA uploaded from the provisioner page becomes a volume holding its disk, a template and a profile")
  func ovaUpload() async throws {
    let database = try await DNSTestDatabase.make()
    defer { Task { await database.drop() } }
    let tag = UUID().uuidString.prefix(6).lowercased()
    let image = try OVATestImage.make(tag: "web-\(tag)")
    defer { image.remove() }
    try await Self.withBrowser(ceph: true, provisionerDatabase: database.settings) { browser in
      let pool = "webova-\(tag)"
      try await browser.cluster.storage.addPool(pool, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
      let page = try await browser.get("/provisioner")
      let csrf = try #require(page.csrf)
      let uploaded = try await browser.sendMultipart(
        "/provisioner-ova/upload", fields: [("csrf", csrf), ("name", "webapp"), ("pool", pool)],
        file: [UInt8](try Data(contentsOf: image.archive)))
      #expect(uploaded.status == 303)
      let said = try await browser.get(uploaded.headers[.location] ?? "/")
      #expect(said.html.contains("Imported OVA image webapp"), "\(said.html.prefix(3000))")
      #expect(said.html.contains("ova_webapp_sda"))
      let rados = try await RadosConnection.connect(configurationFile: TestServices.cephConfiguration)
      #expect(
        try await RBDPool(rados, pool: pool).read("ova_webapp_sda", at: 0, count: image.marker.count) == image.marker)
      #expect(try await browser.cluster.provisioner.profile("webapp").type == .ova)
      try await browser.cluster.provisioner.removeOVA("webapp")
      try await browser.cluster.storage.removePool(pool)
    }
  }
}
