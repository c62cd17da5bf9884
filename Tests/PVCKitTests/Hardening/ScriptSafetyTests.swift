import Foundation
import PVCKitFixtures
import Testing

/// The project's scripts run as root: their state directories, pid files,
/// simulated BMCs and node network must not be turned against the machine by
/// other users (or by a recycled pid).
@Suite("Script safety")
struct ScriptSafetyTests {
  /// Runs `command` with bash and returns its status and output.
  static func bash(_ command: String, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let assignments = environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
    return try TestServices.runTool("/bin/bash", ["-c", "cd '\(TestServices.root.path)' && \(assignments) \(command)"])
  }

  @Test("the simulated BMCs want the password: none, or a wrong one, is refused")
  func ipmiPassword() throws {
    let port = Int(ProcessInfo.processInfo.environment["IPMI_PORT_BASE"] ?? "23620")! + 1
    func status(_ user: String, _ password: String) throws -> Int32 {
      try TestServices.runTool(
        "/usr/bin/ipmitool",
        [
          "-I", "lanplus", "-H", "\(SimulatedNodes.net).254", "-p", "\(port)", "-U", user, "-P", password, "-C", "3",
          "-N", "1", "-R", "1", "chassis", "power", "status",
        ]
      ).status
    }
    #expect(try status("admin", "secret") == 0)
    #expect(try status("admin", "wrong") != 0)
    #expect(try status("admin", "") != 0)
    #expect(try status("", "") != 0)
  }

  @Test("only root's processes reach the node network (libvirtd there takes connections without authentication)")
  func nodeNetworkGuard() throws {
    let connect = "timeout -s KILL 3 bash -c 'exec 3<>/dev/tcp/\(SimulatedNodes.net).1/16509'"
    #expect(try Self.bash(connect).status == 0, "root cannot reach hv1's libvirtd")
    let asNobody = try Self.bash("setpriv --reuid=65534 --regid=65534 --clear-groups \(connect)")
    #expect(asNobody.status != 0, "another user reached hv1's libvirtd")
  }

  @Test("a state directory that is a symbolic link or not root's is refused, never written through")
  func stateDirectories() throws {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("pvckit-safety-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: base) }
    let target = base.appendingPathComponent("target")
    try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
    let link = base.appendingPathComponent("link")
    try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
    let linked = try Self.bash("Scripts/zookeeper.sh status", environment: ["PVCKIT_STATE": link.path])
    #expect(linked.status != 0 && linked.output.contains("symbolic link"), "\(linked.output)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: target.path).isEmpty)

    let foreign = base.appendingPathComponent("foreign")
    try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
    #expect(chown(foreign.path, 65534, 65534) == 0)
    let owned = try Self.bash("Scripts/zookeeper.sh status", environment: ["PVCKIT_STATE": foreign.path])
    #expect(owned.status != 0 && owned.output.contains("not owned by root"), "\(owned.output)")

    let fresh = base.appendingPathComponent("fresh")
    #expect(try Self.bash("Scripts/zookeeper.sh status", environment: ["PVCKIT_STATE": fresh.path]).status == 0)
    let mode = try FileManager.default.attributesOfItem(atPath: fresh.path)[.posixPermissions] as? Int
    #expect(mode == 0o700)
  }

  @Test("stop_daemon signals only the process its pid file started, never a recycled pid")
  func recycledPids() throws {
    let sleeper = Process()
    sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
    sleeper.arguments = ["60"]
    try sleeper.run()
    defer { if sleeper.isRunning { sleeper.terminate() } }
    let pidfile = FileManager.default.temporaryDirectory.appendingPathComponent("safety-\(UUID().uuidString).pid").path
    defer { try? FileManager.default.removeItem(atPath: pidfile) }
    // A pid file whose process is gone and whose pid now names another process (the sleeper).
    try "\(sleeper.processIdentifier)\n".write(toFile: pidfile, atomically: true, encoding: .utf8)
    try "1\n".write(toFile: pidfile + ".start", atomically: true, encoding: .utf8)
    _ = try Self.bash("source Scripts/lib.sh && stop_daemon '\(pidfile)' KILL 1")
    #expect(sleeper.isRunning, "stop_daemon killed a process it did not start")
    // Without a start time, a pid file alone is not enough either.
    try "\(sleeper.processIdentifier)\n".write(toFile: pidfile, atomically: true, encoding: .utf8)
    _ = try Self.bash("source Scripts/lib.sh && stop_daemon '\(pidfile)' KILL 1")
    #expect(sleeper.isRunning)
    // The process it did start, it stops.
    try "\(sleeper.processIdentifier)\n".write(toFile: pidfile, atomically: true, encoding: .utf8)
    _ = try Self.bash(
      "source Scripts/lib.sh && start_time \(sleeper.processIdentifier) >'\(pidfile).start' && stop_daemon '\(pidfile)' TERM 2"
    )
    sleeper.waitUntilExit()
    #expect(!sleeper.isRunning)
  }
}
