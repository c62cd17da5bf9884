import Hummingbird
import PVCKit
import PVCKitServer

/// The storage pages' routes: the overview, a volume's page, and their forms
/// (each removal, rollback and OSD out confirmed first).
extension WebRoutes {
  func registerStorage(on router: Router<PVCRequestContext>) {
    router.get("/storage") { request, _ in
      try await page(request) { session, flash in
        async let status = cluster.storage.status()
        async let pools = cluster.storage.pools()
        async let volumes = cluster.storage.volumes()
        async let osds = cluster.storage.osds(limit: nil)
        async let vms = cluster.vms.list(VMFilter())
        return StoragePages.overview(
          status: try await status, pools: try await pools, volumes: try await volumes, osds: try await osds,
          vms: try await vms, session: session, flash: flash)
      }
    }
    router.get("/storage/volumes/:pool/:volume") { request, context in
      let (pool, name) = Self.volume(context)
      return try await page(request) { session, flash in
        let volume = try await cluster.storage.volume(name, pool: pool)
        let snapshots = try await cluster.storage.snapshots(limit: nil, pool: pool, volume: name)
        let users = StoragePages.users(try await cluster.vms.list(VMFilter()))[volume.path] ?? []
        return StoragePages.volume(volume, snapshots: snapshots, users: users, session: session, flash: flash)
      }
    }
    router.post("/storage/pools") { request, _ in
      try await action(request, .storagePoolAdd) { _, form in
        let name = form.first("pool") ?? ""
        try await cluster.storage.addPool(
          name, pgs: Int(form.first("pgs") ?? "") ?? 0, replication: form.first("replcfg") ?? "",
          tier: form.first("tier") ?? "default")
        return Self.redirect("/storage", flash: "Added pool \(name).")
      }
    }
    router.post("/storage/pools/:pool/remove") { request, context in
      let pool = context.parameters.get("pool") ?? ""
      return try await action(request, .storagePoolRemove) { session, form in
        guard form.first("confirm") == "yes" else {
          _ = try await cluster.storage.pool(pool)
          return Self.page(
            NetworkPages.confirm(
              "Really remove pool \(pool) and every volume in it? Their data is lost.",
              action: "/storage/pools/\(HTML.urlComponent(pool).markup)/remove", fields: [], back: "/storage",
              session: session))
        }
        try await cluster.storage.removePool(pool)
        return Self.redirect("/storage", flash: "Removed pool \(pool).")
      }
    }
    router.post("/storage/osds/:osd/state") { request, context in
      let id = context.parameters.get("osd") ?? ""
      return try await action(request, .storageOSDSetState) { session, form in
        let state = OSDState(rawValue: form.first("state") ?? "") ?? .in
        if state == .out && form.first("confirm") != "yes" {
          _ = try await cluster.storage.osd(id)
          return Self.page(
            NetworkPages.confirm(
              "Really take OSD \(id) out? Its data moves to the other OSDs.",
              action: "/storage/osds/\(HTML.urlComponent(id).markup)/state", fields: [("state", "out")],
              back: "/storage", session: session, label: "Yes, take it out"))
        }
        try await cluster.storage.setOSDState(id, state)
        return Self.redirect("/storage", flash: "OSD \(id) is \(state.rawValue).")
      }
    }
    router.post("/storage/volumes") { request, _ in
      try await action(request, .storageVolumeAdd) { _, form in
        let (pool, name, size) = (form.first("pool") ?? "", form.first("volume") ?? "", form.first("size") ?? "")
        try await cluster.storage.addVolume(name, pool: pool, size: size, force: false)
        return Self.redirect(Self.volumePage(pool, name), flash: "Added volume \(pool)/\(name) of \(size).")
      }
    }
    router.post("/storage/volumes/:pool/:volume/:verb") { request, context in
      let (pool, name) = Self.volume(context)
      let verb = context.parameters.get("verb") ?? ""
      return try await action(request, .storageVolumeModify) { session, form in
        try await volumeAction(verb, pool: pool, name: name, form: form, session: session)
      }
    }
    router.post("/storage/volumes/:pool/:volume/snapshots/:verb") { request, context in
      let (pool, name) = Self.volume(context)
      let verb = context.parameters.get("verb") ?? ""
      return try await action(request, .storageSnapshotRollback) { session, form in
        try await snapshotAction(verb, pool: pool, name: name, form: form, session: session)
      }
    }
  }

  static func volume(_ context: PVCRequestContext) -> (pool: String, name: String) {
    (context.parameters.get("pool") ?? "", context.parameters.get("volume") ?? "")
  }

  static func volumePage(_ pool: String, _ name: String) -> String {
    "/storage/volumes/\(HTML.urlComponent(pool).markup)/\(HTML.urlComponent(name).markup)"
  }

  /// `resize`, `clone`, `remove` (confirmed first) and `snapshot` (take one) of a volume.
  private func volumeAction(_ verb: String, pool: String, name: String, form: RequestParameters, session: WebSession)
    async throws -> Response
  {
    let page = Self.volumePage(pool, name)
    switch verb {
    case "resize":
      let size = form.first("size") ?? ""
      try await cluster.storage.resizeVolume(name, pool: pool, size: size, force: false)
      return Self.redirect(page, flash: "Resized volume \(pool)/\(name) to \(size).")
    case "clone":
      let newName = form.first("new_volume") ?? ""
      try await cluster.storage.cloneVolume(name, pool: pool, to: newName, force: false)
      return Self.redirect(Self.volumePage(pool, newName), flash: "Copied volume \(pool)/\(name) to \(newName).")
    case "snapshot":
      let snapshot = form.first("snapshot") ?? ""
      try await cluster.storage.addSnapshot(snapshot, volume: name, pool: pool)
      return Self.redirect(page, flash: "Took snapshot \(snapshot).")
    case "remove":
      guard form.first("confirm") == "yes" else {
        _ = try await cluster.storage.volume(name, pool: pool)
        return Self.page(
          NetworkPages.confirm(
            "Really remove volume \(pool)/\(name)? Its data is lost.", action: "\(page)/remove", fields: [],
            back: page, session: session))
      }
      try await cluster.storage.removeVolume(name, pool: pool)
      return Self.redirect("/storage", flash: "Removed volume \(pool)/\(name).")
    default:
      throw WebError.badRequest("unknown volume action")
    }
  }

  /// `rollback` and `remove` of a snapshot, each confirmed first.
  private func snapshotAction(
    _ verb: String, pool: String, name: String, form: RequestParameters, session: WebSession
  ) async throws -> Response {
    let page = Self.volumePage(pool, name)
    let snapshot = form.first("snapshot") ?? ""
    guard ["rollback", "remove"].contains(verb) else { throw WebError.badRequest("unknown snapshot action") }
    guard form.first("confirm") == "yes" else {
      _ = try await cluster.storage.snapshot(snapshot, volume: name, pool: pool)
      let question =
        verb == "rollback"
        ? "Really roll volume \(pool)/\(name) back to \(snapshot)? What was written since is lost; stop its VM first."
        : "Really remove snapshot \(snapshot) of \(pool)/\(name)?"
      return Self.page(
        NetworkPages.confirm(
          question, action: "\(page)/snapshots/\(verb)", fields: [("snapshot", snapshot)], back: page,
          session: session, label: verb == "rollback" ? "Yes, roll it back" : "Yes, remove it"))
    }
    if verb == "rollback" {
      try await cluster.storage.rollbackSnapshot(snapshot, volume: name, pool: pool)
      return Self.redirect(page, flash: "Rolled \(pool)/\(name) back to \(snapshot).")
    }
    try await cluster.storage.removeSnapshot(snapshot, volume: name, pool: pool)
    return Self.redirect(page, flash: "Removed snapshot \(snapshot).")
  }
}
