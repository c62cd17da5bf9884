import Foundation
import Hummingbird
import PVCKit
import PVCKitServer

extension WebRoutes {
  /// Several clusters: `/clusters` (every cluster's health at a glance) and choosing the one the pages show.
  func registerClusters(on router: Router<PVCRequestContext>) {
    router.get("/clusters") { request, _ in
      try await page(request) { session, flash in
        ClusterPages.overview(
          await server.clusters.statuses(), chosen: session.clusterName ?? server.clusters.localName,
          session: session, flash: flash)
      }
    }
    router.post("/clusters/choose") { request, _ in
      // Choosing what to look at changes nothing: any login may, with the form's CSRF token.
      guard let session = session(request) else { return Self.redirect("/login") }
      let form = try await Self.form(request)
      guard Self.csrfMatches(form.first("csrf"), session) else { return Self.expired(session) }
      let name = Self.clean(form.first("cluster"))
      guard server.clusters.names.contains(name) else {
        return Self.redirect("/clusters", flash: "There is no cluster named \(name).")
      }
      server.sessions.choose(cluster: name, for: session.id)
      return Self.redirect("/", flash: "Showing cluster \(name).")
    }
  }
}
