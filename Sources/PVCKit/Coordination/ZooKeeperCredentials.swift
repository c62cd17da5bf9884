/// The cluster members' shared ZooKeeper identity, for PVCKit's optional ACLs
/// (`database.zookeeper.auth` in `pvc.conf`): a client that connects with it
/// authenticates with the `digest` scheme, and every node it creates can be
/// changed only by clients with the same identity (anyone may read).
public struct ZooKeeperCredentials: Sendable, Hashable {
  public var username: String
  public var password: String

  /// Creates credentials.
  /// - Throws: ``ZooKeeperError/Code/badArguments`` for an empty user name or
  ///   password, or a user name with `:` or control characters.
  public init(username: String, password: String) throws {
    let control = { (text: String) in text.unicodeScalars.contains { $0.properties.generalCategory == .control } }
    guard !username.isEmpty, !password.isEmpty, !username.contains(":"), !control(username), !control(password)
    else { throw ZooKeeperError(.badArguments, operation: "authenticate") }
    self.username = username
    self.password = password
  }

  /// `user:password`, as the digest scheme takes it.
  var digest: String { "\(username):\(password)" }
}
