import Foundation

extension DirectVMOperations {
  func openConsole(_ vm: String) async throws -> VMConsole {
    let info = try await info(vm)
    guard info.state == .start else {
      throw ConsoleError.unavailable("VM \"\(info.name)\" is \(info.state), not running: its console is closed")
    }
    guard let libvirt else { throw Self.noNodeAccess }
    let uri = libvirt.uri(info.node)
    let connection: LibvirtConnection
    do {
      connection = try await LibvirtConnection.open(uri)
    } catch {
      throw ConsoleError.unavailable("node \(info.node)'s libvirt (\(uri)) cannot be reached: \(error)")
    }
    var opened: LibvirtConsoleStream?
    // A VM asked to start a moment ago may not be running yet (no domain, or no console device assigned):
    // tried for a few seconds.
    for attempt in 1...10 {
      do {
        opened = try await connection.openConsole(info.uuid)
        break
      } catch {
        if attempt < 10 {
          try? await Task.sleep(for: .milliseconds(500))
          continue
        }
        await connection.close()
        throw ConsoleError.unavailable(
          "the console of VM \"\(info.name)\" on \(info.node) cannot be opened: \(error)")
      }
    }
    guard let stream = opened else { throw ConsoleError.unavailable("the console could not be opened") }
    return VMConsole(vm: info.name, node: info.node, channel: stream, watch: watch(info))
  }

  func openGraphics(_ vm: String) async throws -> VMConsole {
    let info = try await info(vm)
    guard info.state == .start else {
      throw ConsoleError.unavailable("VM \"\(info.name)\" is \(info.state), not running: it has no graphical console")
    }
    guard let listen = info.vnc.listen, !listen.isEmpty, let port = info.vnc.port.flatMap({ Int($0) }),
      (1...65535).contains(port)
    else {
      throw ConsoleError.unavailable("VM \"\(info.name)\" has no VNC graphics (a <graphics type='vnc'> device)")
    }
    guard !["127.0.0.1", "::1", "localhost"].contains(listen) else {
      throw ConsoleError.unavailable(
        "VM \"\(info.name)\"'s VNC server listens on its node's loopback only: give its <graphics> a listen "
          + "address of the node's cluster network (or 0.0.0.0) to reach it")
    }
    guard let libvirt else { throw Self.noNodeAccess }
    let host = ["0.0.0.0", "::", ""].contains(listen) ? libvirt.address(info.node) : listen
    let channel: TCPConsoleChannel
    do {
      channel = try await TCPConsoleChannel.connect(host: host, port: port)
    } catch {
      throw ConsoleError.unavailable("VM \"\(info.name)\"'s VNC server at \(host):\(port) cannot be reached: \(error)")
    }
    return VMConsole(vm: info.name, node: info.node, channel: channel, watch: watch(info))
  }

  /// Why a console closes: the VM moved, stopped or went (read from ZooKeeper itself, not a cache, so a move is
  /// seen within a second).
  private func watch(_ info: VMInfo) -> @Sendable () async -> String? {
    let (uuid, node) = (info.uuid, info.node)
    let records = VMRecords(zookeeper: zookeeper)
    return {
      guard let now = try? await records.infos([uuid]).first else { return "the VM was removed" }
      if now.node != node { return "the VM moved to \(now.node)" }
      if now.state != .start { return "the VM is \(now.state)" }
      return nil
    }
  }

  static let noNodeAccess = ConsoleError.unavailable(
    "this connection does not know how to reach the nodes: connect with pvc.conf (its cluster network gives the "
      + "nodes' addresses) or through the API")
}
