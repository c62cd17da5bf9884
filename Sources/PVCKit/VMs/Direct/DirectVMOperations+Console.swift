import Foundation

extension DirectVMOperations {
  func openConsole(_ vm: String) async throws -> VMConsole {
    let info = try await info(vm)
    guard info.state == .start else {
      throw ConsoleError.unavailable("VM \"\(info.name)\" is \(info.state), not running: its console is closed")
    }
    guard let libvirt else {
      throw ConsoleError.unavailable(
        "this connection does not know how to reach the nodes' libvirt: connect with pvc.conf (its cluster network gives the nodes' addresses) or through the API"
      )
    }
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
    let uuid = info.uuid
    let node = info.node
    let records = VMRecords(zookeeper: zookeeper)
    return VMConsole(vm: info.name, node: node, channel: stream) {
      // Read from ZooKeeper itself (not a cache), so a move is seen within a second.
      guard let now = try? await records.infos([uuid]).first else { return "the VM was removed" }
      if now.node != node { return "the VM moved to \(now.node)" }
      if now.state != .start { return "the VM is \(now.state)" }
      return nil
    }
  }
}
