extension PVCConfiguration.CoreNetwork {
  /// A node's address in this network: its host number (the digits of its name)
  /// inside the network with `by-id`; `nil` when that is outside the network.
  /// A `fixed` selection names this host's own address only; other nodes are
  /// taken by id (as upstream's peers are).
  public func address(of node: String, isSelf: Bool = false) -> IPv4Address? {
    if isSelf, case .fixed(let address) = nodeIPSelection { return address }
    let id = NodeIdentity.id(of: node)
    let (value, overflow) = networkAddress.value.addingReportingOverflow(UInt32(clamping: max(0, id)))
    let address = IPv4Address(value: value)
    guard !overflow, id > 0, address.isIn(network: networkAddress, prefix: netmask) else { return nil }
    return address
  }
}
