/// What the cloud-init metadata service (169.254.169.254 on the primary) tells a VM about itself: found by the
/// address it asks from, through its DHCP lease or reservation on a managed network, never anyone else's.
public struct VMMetadata: Sendable, Hashable {
  public var uuid: String
  public var name: String
  public var profile: String
  /// Its profile's userdata document (empty without one).
  public var userdata: String
}

extension PVCCluster {
  /// The metadata of the VM that holds `address` (its lease or reservation on a managed network), or `nil`
  /// when no VM can be told apart by it: none holds it, or more than one would (then nobody's data is given).
  public func metadata(forAddress address: String) async throws -> VMMetadata? {
    guard let ip = IPAddress(address), ip.isV4 else { return nil }
    var macs: Set<String> = []
    for network in try await networks.list() where network.type == .managed {
      guard let subnet = IPNetwork(network.ip4.network), subnet.contains(ip) else { continue }
      for lease in try await networks.leases(network.vni, limit: nil, staticOnly: false)
      where IPAddress(lease.ip4Address) == ip {
        if let mac = NetworkRules.mac(lease.macAddress) { macs.insert(mac) }
      }
    }
    let holders = try await vms.list(VMFilter()).filter { vm in
      vm.networks.contains { NetworkRules.mac($0.mac).map(macs.contains) ?? false }
    }
    guard holders.count == 1, let vm = holders.first else { return nil }
    var userdata = ""
    if !vm.profile.isEmpty, vm.profile != "None",
      let profile = try? await provisioner.profile(vm.profile), profile.userdata != VMProfile.none
    {
      userdata = (try? await provisioner.userdata(profile.userdata).userdata) ?? ""
    }
    return VMMetadata(uuid: vm.uuid, name: vm.name, profile: vm.profile, userdata: userdata)
  }
}
