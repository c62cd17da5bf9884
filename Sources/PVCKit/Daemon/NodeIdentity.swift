import Foundation

/// Who this node daemon is and how it reaches its own and its peers' libvirt.
public struct NodeIdentity: Sendable, Hashable {
  /// The node's name (its short host name upstream).
  public var name: String
  /// The number in its name (`hv3` → 3), used for addresses chosen by id.
  public var id: Int
  /// Whether it is a coordinator.
  public var isCoordinator: Bool
  /// The local libvirt daemon.
  public var libvirtURI: String
  /// The libvirt URI of another node (the destination of live migrations).
  public var peerURI: @Sendable (String) -> String
  /// Where libvirt writes the guests' serial console logs (`<name>.log`).
  public var consoleLogDirectory: String

  public static func == (lhs: NodeIdentity, rhs: NodeIdentity) -> Bool {
    lhs.name == rhs.name && lhs.libvirtURI == rhs.libvirtURI
  }

  public func hash(into hasher: inout Hasher) { hasher.combine(name) }

  /// Creates an identity.
  public init(
    name: String, isCoordinator: Bool, libvirtURI: String, consoleLogDirectory: String,
    peerURI: @escaping @Sendable (String) -> String
  ) {
    self.name = name
    id = Self.id(of: name)
    self.isCoordinator = isCoordinator
    self.libvirtURI = libvirtURI
    self.consoleLogDirectory = consoleLogDirectory
    self.peerURI = peerURI
  }

  /// The last run of digits in a node name (`hv12` → 12), or 0.
  public static func id(of name: String) -> Int {
    let digits = name.reversed().drop { !$0.isNumber }.prefix { $0.isNumber }
    return Int(String(digits.reversed())) ?? 0
  }

  /// An identity from the cluster configuration: peers are reached over the
  /// cluster network at the address their id selects (`qemu+tcp://<address>/system`).
  public static func from(
    _ configuration: PVCConfiguration, name: String, libvirtURI: String?, consoleLogDirectory: String?
  ) -> NodeIdentity {
    let peers = configuration.nodeLibvirtAccess
    return NodeIdentity(
      name: name, isCoordinator: configuration.cluster.coordinatorNodes.contains(name),
      libvirtURI: libvirtURI ?? "qemu:///system",
      consoleLogDirectory: consoleLogDirectory ?? configuration.paths.consoleLogDirectory,
      peerURI: peers.uri)
  }
}
