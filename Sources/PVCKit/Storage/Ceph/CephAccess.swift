/// How a program reaches the cluster's Ceph: its `ceph.conf` (which names the
/// monitors and the keyring) and the Ceph user.
public struct CephAccess: Sendable, Hashable {
  /// The `ceph.conf` file.
  public var configurationFile: String
  /// The Ceph user (`admin` for `client.admin`).
  public var user: String

  /// Access through `configurationFile` as `user`.
  public init(configurationFile: String, user: String = "admin") {
    self.configurationFile = configurationFile
    self.user = user
  }
}

/// One program's connection to Ceph, made when first needed and made again
/// after Ceph stopped answering; without ``CephAccess`` every call says so.
actor CephLink {
  let access: CephAccess?
  private var connection: RadosConnection?

  init(_ access: CephAccess?) { self.access = access }

  /// The connection (made now if there is none).
  func rados() async throws -> RadosConnection {
    if let connection { return connection }
    guard let access else { throw StorageError.noCephAccess }
    let made = try await RadosConnection.connect(configurationFile: access.configurationFile, user: access.user)
    connection = made
    return made
  }

  /// Runs `body` with the connection; a connection that turned out dead is dropped, so the next call connects again.
  func with<T: Sendable>(_ body: @Sendable (RadosConnection) async throws -> T) async throws -> T {
    let rados = try await rados()
    do {
      return try await body(rados)
    } catch let error as CephError where error.kind == .unavailable || error.kind == .timedOut {
      if connection === rados { connection = nil }
      throw error
    }
  }

  /// Shuts the connection down (waiting for librados to stop).
  func close() async {
    let closing = connection
    connection = nil
    await closing?.shutdown()
  }
}
