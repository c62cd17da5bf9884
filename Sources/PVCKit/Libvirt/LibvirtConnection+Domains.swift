import CLibvirt
import Foundation

/// A domain's run state as libvirt reports it.
public struct DomainState: Sendable, Hashable {
  /// libvirt's `virDomainState`.
  public var state: Int32
  /// libvirt's reason code for that state.
  public var reason: Int32

  /// Whether the guest is running (or paused, or being migrated), i.e. has a QEMU process.
  public var isActive: Bool {
    let value = UInt32(bitPattern: state)
    return value == VIR_DOMAIN_RUNNING.rawValue || value == VIR_DOMAIN_PAUSED.rawValue
      || value == VIR_DOMAIN_BLOCKED.rawValue || value == VIR_DOMAIN_PMSUSPENDED.rawValue
  }

  /// Whether the guest arrived by migration (rather than booting here).
  public var arrivedByMigration: Bool {
    UInt32(bitPattern: state) == VIR_DOMAIN_RUNNING.rawValue
      && UInt32(bitPattern: reason) == VIR_DOMAIN_RUNNING_MIGRATED.rawValue
  }

  /// The state as upstream's stats JSON names it.
  public var name: String {
    switch UInt32(bitPattern: state) {
    case VIR_DOMAIN_RUNNING.rawValue: "running"
    case VIR_DOMAIN_BLOCKED.rawValue: "blocked"
    case VIR_DOMAIN_PAUSED.rawValue: "paused"
    case VIR_DOMAIN_SHUTDOWN.rawValue: "shutdown"
    case VIR_DOMAIN_SHUTOFF.rawValue: "shutoff"
    case VIR_DOMAIN_CRASHED.rawValue: "crashed"
    case VIR_DOMAIN_PMSUSPENDED.rawValue: "pmsuspended"
    default: "nostate"
    }
  }
}

/// An active domain on a daemon.
public struct ActiveDomain: Sendable, Hashable {
  public var uuid: String
  public var name: String
  public var state: DomainState
}

/// What a daemon's host has.
public struct HostResources: Sendable, Hashable {
  /// Memory in MiB.
  public var memoryMiB: Int
  /// Logical CPUs.
  public var cpus: Int
}

extension LibvirtConnection {
  /// Starts a transient domain from its XML (PVC never defines persistent domains:
  /// the cluster's copy of the XML in ZooKeeper is the only one).
  /// - Returns: the running domain's UUID.
  @discardableResult
  public func createTransient(xml: String) async throws -> String {
    try await blocking("start") { conn in
      guard let domain = virDomainCreateXML(conn, xml, 0) else { throw LibvirtError.last("start") }
      defer { virDomainFree(domain) }
      return Self.uuid(of: domain)
    }
  }

  /// The state of the domain with this UUID, or `nil` if the daemon does not have it.
  public func state(of uuid: String) async throws -> DomainState? {
    do {
      return try await withDomain(uuid, "state") { _, domain in
        var state: Int32 = 0
        var reason: Int32 = 0
        guard virDomainGetState(domain, &state, &reason, 0) == 0 else { throw LibvirtError.last("state") }
        return DomainState(state: state, reason: reason)
      }
    } catch let error as LibvirtError where error.isNoDomain {
      return nil
    }
  }

  /// Stops the domain at once (pulls the plug). Succeeds if it is already gone.
  public func destroy(_ uuid: String) async throws {
    do {
      try await withDomain(uuid, "stop") { _, domain in
        guard virDomainDestroy(domain) == 0 else { throw LibvirtError.last("stop") }
      }
    } catch let error as LibvirtError where error.isNoDomain {
      return
    }
  }

  /// Asks the guest to shut down (ACPI power button).
  public func requestShutdown(_ uuid: String) async throws {
    try await withDomain(uuid, "shutdown") { _, domain in
      guard virDomainShutdown(domain) == 0 else { throw LibvirtError.last("shutdown") }
    }
  }

  /// The live XML of the domain.
  public func xml(of uuid: String) async throws -> String {
    try await withDomain(uuid, "xml") { _, domain in
      guard let text = virDomainGetXMLDesc(domain, 0) else { throw LibvirtError.last("xml") }
      defer { free(text) }
      return String(cString: text)
    }
  }

  /// Hot-plugs a device into the running domain (`VIR_DOMAIN_AFFECT_LIVE`: PVC's domains are transient; the
  /// cluster keeps the definition).
  public func attachDevice(_ uuid: String, xml: String) async throws {
    try await withDomain(uuid, "attach device") { _, domain in
      let flags = UInt32(VIR_DOMAIN_AFFECT_LIVE.rawValue)
      guard virDomainAttachDeviceFlags(domain, xml, flags) == 0 else { throw LibvirtError.last("attach device") }
    }
  }

  /// Hot-unplugs a device from the running domain (libvirt finds it: a disk by target, an interface by MAC).
  public func detachDevice(_ uuid: String, xml: String) async throws {
    try await withDomain(uuid, "detach device") { _, domain in
      let flags = UInt32(VIR_DOMAIN_AFFECT_LIVE.rawValue)
      guard virDomainDetachDeviceFlags(domain, xml, flags) == 0 else { throw LibvirtError.last("detach device") }
    }
  }

  /// Freezes the guest's filesystems through its QEMU guest agent (`virDomainFSFreeze`), so that what is on its
  /// disks is one consistent point in time until ``thawFilesystems(_:)``.
  /// - Returns: how many filesystems the agent froze.
  /// - Throws: ``LibvirtError`` when the domain has no agent channel or the agent does not answer.
  @discardableResult
  public func freezeFilesystems(_ uuid: String) async throws -> Int {
    try await withDomain(uuid, "freeze filesystems") { _, domain in
      let frozen = virDomainFSFreeze(domain, nil, 0, 0)
      guard frozen >= 0 else { throw LibvirtError.last("freeze filesystems") }
      return Int(frozen)
    }
  }

  /// Thaws what ``freezeFilesystems(_:)`` froze (`virDomainFSThaw`).
  public func thawFilesystems(_ uuid: String) async throws {
    try await withDomain(uuid, "thaw filesystems") { _, domain in
      guard virDomainFSThaw(domain, nil, 0, 0) >= 0 else { throw LibvirtError.last("thaw filesystems") }
    }
  }

  /// Live-migrates the domain to another daemon, peer to peer (this daemon
  /// connects to `destination` itself).
  /// - Parameters:
  ///   - maxDowntime: the longest pause allowed at the end, in milliseconds.
  public func migrate(_ uuid: String, to destination: String, maxDowntime: Int?) async throws {
    try await withDomain(uuid, "migrate") { _, domain in
      if let maxDowntime { _ = virDomainMigrateSetMaxDowntime(domain, UInt64(clamping: max(1, maxDowntime)), 0) }
      let flags = UInt32(
        VIR_MIGRATE_LIVE.rawValue | VIR_MIGRATE_PEER2PEER.rawValue | VIR_MIGRATE_ABORT_ON_ERROR.rawValue)
      guard virDomainMigrateToURI3(domain, destination, nil, 0, flags) == 0 else { throw LibvirtError.last("migrate") }
    }
  }

  /// The active domains of the daemon.
  public func activeDomains() async throws -> [ActiveDomain] {
    try await blocking("list") { conn in
      var list: UnsafeMutablePointer<OpaquePointer?>?
      let count = virConnectListAllDomains(conn, &list, UInt32(VIR_CONNECT_LIST_DOMAINS_ACTIVE.rawValue))
      guard count >= 0, let list else { throw LibvirtError.last("list") }
      defer { free(list) }
      var domains: [ActiveDomain] = []
      for index in 0..<Int(count) {
        guard let domain = list[index] else { continue }
        defer { virDomainFree(domain) }
        var state: Int32 = 0
        var reason: Int32 = 0
        _ = virDomainGetState(domain, &state, &reason, 0)
        domains.append(
          ActiveDomain(
            uuid: Self.uuid(of: domain), name: virDomainGetName(domain).map { String(cString: $0) } ?? "",
            state: DomainState(state: state, reason: reason)))
      }
      return domains
    }
  }

  /// The host's memory and CPUs.
  public func hostResources() async throws -> HostResources {
    try await blocking("node info") { conn in
      var info = virNodeInfo()
      guard virNodeGetInfo(conn, &info) == 0 else { throw LibvirtError.last("node info") }
      return HostResources(memoryMiB: Int(info.memory / 1024), cpus: Int(info.cpus))
    }
  }

  static func uuid(of domain: OpaquePointer) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    _ = virDomainGetUUIDString(domain, &buffer)
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
  }
}
