public import Foundation

/// A stand-in for a VM's network card: a network namespace of its own
/// (`<prefix>-g-<name>`) whose `eth0` is one end of a veth pair, the other end
/// plugged into a simulated node's bridge `vmbr<vni>`, as libvirt plugs a VM's
/// tap device. It asks for its address by DHCP with busybox's `udhcpc`.
/// `Scripts/nodes.sh down` removes guests a test left behind.
public struct NetworkGuest: Sendable {
  /// The guest's short name (at most 6 characters: it names the veth on the node).
  public let name: String
  /// The node it is plugged into.
  public let node: String
  public let mac: String

  /// The guest's namespace.
  public var namespace: String { "\(SimulatedNodes.prefix)-g-\(name)" }
  /// The veth end on the node (plugged into the bridge).
  var port: String { "gst-\(name)" }

  /// Makes the guest and plugs it into `vmbr<vni>` of `node` (which must exist).
  public static func plug(_ name: String, into node: String, vni: Int, mac: String) throws -> NetworkGuest {
    let guest = NetworkGuest(name: name, node: node, mac: mac)
    guest.remove()
    let host = guest.namespace
    try guest.ip(["netns", "add", host])
    try guest.ip(["link", "add", guest.port, "type", "veth", "peer", "name", "\(guest.port)-p"])
    try guest.ip(["link", "set", "\(guest.port)-p", "netns", host, "name", "eth0"])
    try guest.ip(["link", "set", guest.port, "netns", SimulatedNodes.namespace(node)])
    try guest.ip(["-n", host, "link", "set", "eth0", "address", mac, "up"])
    try guest.ip(["-n", host, "link", "set", "lo", "up"])
    try guest.ip(["-n", SimulatedNodes.namespace(node), "link", "set", guest.port, "master", "vmbr\(vni)", "up"])
    return guest
  }

  /// Runs a command inside the guest.
  public func inside(_ arguments: [String]) throws -> (status: Int32, output: String) {
    try SimulatedNodes.run(URL(fileURLWithPath: "/usr/sbin/ip"), ["netns", "exec", namespace] + arguments)
  }

  /// Asks for an address by DHCP (as `hostname`) and configures it; returns the address, or `nil` when no
  /// server answered within about `tries` seconds.
  /// - Parameter requesting: an address to ask for (a renewal after a handover asks for the one it had).
  /// (Runs off Swift's cooperative threads: a DHCP client waits for seconds.)
  public func dhcp(
    hostname: String, tries: Int = 10, requesting: String? = nil
  ) async throws -> String? {
    try await Self.offPool { try dhcpNow(hostname: hostname, tries: tries, requesting: requesting) }
  }

  private func dhcpNow(hostname: String, tries: Int, requesting: String?) throws -> String? {
    let script = FileManager.default.temporaryDirectory.appendingPathComponent("pvckit-udhcpc-\(name).sh")
    // busybox's udhcpc runs this with the offer in its environment; it only configures eth0.
    try """
    #!/bin/sh
    [ "$1" = bound ] || [ "$1" = renew ] || exit 0
    ip -4 address flush dev "$interface" scope global
    ip address add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
    exit 0
    """.write(to: script, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: script.path)
    defer { try? FileManager.default.removeItem(at: script) }
    var arguments = [
      "busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-f", "-t", String(tries), "-T", "1", "-A", "1", "-s", script.path,
      "-x", "hostname:\(hostname)",
    ]
    if let requesting { arguments += ["-r", requesting] }
    guard try inside(arguments).status == 0 else { return nil }
    return address()
  }

  /// Gives the guest's lease of `address` on network `vni` back, as a guest shutting down cleanly does: a
  /// DHCPRELEASE to the server on node `server` (dnsmasq's `dhcp_release`, run beside it), which forgets it.
  public func releaseLease(_ address: String, vni: Int, server: String) throws {
    let result = try SimulatedNodes.run(
      URL(fileURLWithPath: "/usr/sbin/ip"),
      ["netns", "exec", SimulatedNodes.namespace(server), "dhcp_release", "vmbr\(vni)", address, mac])
    guard result.status == 0 else {
      throw SimulatedNodes.ScriptFailure(command: "dhcp_release: \(result.output)", status: result.status)
    }
  }

  /// The guest's IPv4 address on eth0, if it has one.
  public func address() -> String? {
    addresses(family: "-4").first
  }

  /// The guest's global IPv6 addresses on eth0 (from router advertisements).
  public func addresses6() -> [String] {
    addresses(family: "-6").filter { !$0.hasPrefix("fe80") }
  }

  private func addresses(family: String) -> [String] {
    guard let shown = try? inside(["ip", "-o", family, "address", "show", "dev", "eth0"]) else { return [] }
    return shown.output.split(separator: "\n").compactMap { line in
      let fields = line.split(separator: " ")
      guard let index = fields.firstIndex(where: { $0 == "inet" || $0 == "inet6" }), index + 1 < fields.count else {
        return nil
      }
      return fields[index + 1].split(separator: "/").first.map(String.init)
    }
  }

  /// Takes eth0 down and up again: the kernel then asks for router advertisements at once (as a guest's
  /// boot does), instead of waiting for the server's next unsolicited one.
  public func restartLink() throws {
    _ = try inside(["ip", "link", "set", "eth0", "down"])
    _ = try inside(["ip", "link", "set", "eth0", "up"])
  }

  /// Whether one ping to `address` is answered within `seconds` (off Swift's cooperative threads).
  public func ping(_ address: String, seconds: Int = 1) async -> Bool {
    (try? await Self.offPool { pingNow(address, seconds: seconds) }) ?? false
  }

  /// Runs a blocking call on a thread of its own, so that tests running in parallel are not held up.
  static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      Thread.detachNewThread {
        do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
      }
    }
  }

  private func pingNow(_ address: String, seconds: Int) -> Bool {
    // Under `timeout`: busybox's own limit is an alarm, and test runners may start children with SIGALRM blocked.
    let arguments = [
      "timeout", "-s", "KILL", String(seconds + 1), "busybox", "ping", "-c", "1", "-W", String(seconds), address,
    ]
    return (try? inside(arguments))?.status == 0
  }

  /// Unplugs the guest and removes its namespace (nothing happens if it is not there).
  public func remove() {
    _ = try? ip(["-n", SimulatedNodes.namespace(node), "link", "del", port], check: false)
    _ = try? ip(["netns", "del", namespace], check: false)
  }

  @discardableResult
  private func ip(_ arguments: [String], check: Bool = true) throws -> String {
    let outcome = try SimulatedNodes.run(URL(fileURLWithPath: "/usr/sbin/ip"), arguments)
    if check, outcome.status != 0 {
      throw NetworkGuestError(message: "ip \(arguments.joined(separator: " ")): \(outcome.output)")
    }
    return outcome.output
  }
}

/// A guest could not be made.
public struct NetworkGuestError: Error, CustomStringConvertible {
  public let message: String
  public var description: String { message }
}
