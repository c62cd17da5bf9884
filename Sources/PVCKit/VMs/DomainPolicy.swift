/// Which domain definitions the cluster accepts. By default none that reach
/// the host rather than the cluster's own resources (``DomainSummary/hostAccess``:
/// QEMU command-line passthrough, emulators other than the system's, host-path
/// disks and directories, host devices, character devices on host files or
/// ports, boot files from the host...). Upstream accepts everything; set
/// `vm_policy: {allow_host_access: yes}` in `pvc.conf` to do the same.
///
/// Checked where a definition enters the cluster (define, modify, every device
/// edit, restore) and again by the node daemon before it starts a VM, so a
/// definition written behind PVCKit's back is not started either.
public struct DomainPolicy: Sendable, Hashable {
  /// Accept definitions that reach the host.
  public var allowHostAccess: Bool

  /// Creates a policy.
  public init(allowHostAccess: Bool = false) { self.allowHostAccess = allowHostAccess }

  /// The default: nothing that reaches the host.
  public static let strict = DomainPolicy()
  /// Upstream's behaviour: everything libvirt takes.
  public static let permissive = DomainPolicy(allowHostAccess: true)

  /// Checks a definition.
  /// - Throws: ``VMError/refusedByPolicy(_:)`` naming what reaches the host.
  public func check(_ summary: DomainSummary) throws {
    guard !allowHostAccess, !summary.hostAccess.isEmpty else { return }
    throw VMError.refusedByPolicy(summary.hostAccess)
  }
}
