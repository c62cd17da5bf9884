import Foundation
import PVCKit
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// What the packages rely on in the programs themselves: the shipped sample configuration, systemd's
/// notifications, and a restarted pvcd waiting out the watchdog a crashed one left armed.
@Suite("packaging")
struct PackagingTests {
  static let sample = TestServices.root.appendingPathComponent("Scripts/debian/pvc.sample.conf").path

  @Test("the shipped pvc.conf configures nothing; with its settings uncommented it is a valid configuration")
  func sampleConfiguration() throws {
    let text = try String(contentsOfFile: Self.sample, encoding: .utf8)
    #expect(throws: ConfigurationError.self) { try PVCConfiguration.parse(text, file: "/etc/pvc/pvc.conf") }
    do {
      _ = try PVCConfiguration.parse(text, file: "/etc/pvc/pvc.conf")
    } catch {
      #expect("\(error)".contains("/etc/pvc/pvc.conf: configures nothing yet"), "\(error)")
    }
    // What the sample's header tells the administrator: drop the first '#' of each setting line.
    let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      line.hasPrefix("#") && !line.hasPrefix("##") ? String(line.dropFirst()) : String(line)
    }.joined(separator: "\n")
    let configuration = try PVCConfiguration.parse(uncommented, file: "pvc.conf")
    #expect(configuration.cluster.name == "cluster1")
    #expect(configuration.cluster.coordinatorNodes == ["hv1", "hv2", "hv3"])
    #expect(configuration.zookeeperHosts == "hv1:2181,hv2:2181,hv3:2181")
    #expect(configuration.dnsDatabaseSettings != nil)
    #expect(configuration.otherClusters.map(\.name) == ["lab"])
  }

  @Test("a restarted pvcd waits out a watchdog left armed, for its timeout plus one interval since the last feed")
  func watchdogWait() {
    let timeout = Duration.seconds(10)
    let interval = Duration.seconds(5)
    #expect(
      SelfFence.waitBeforeArming(sinceLastFeed: .seconds(1), timeout: timeout, interval: interval) == .seconds(14))
    #expect(SelfFence.waitBeforeArming(sinceLastFeed: .zero, timeout: timeout, interval: interval) == .seconds(15))
    #expect(SelfFence.waitBeforeArming(sinceLastFeed: .seconds(15), timeout: timeout, interval: interval) == .zero)
    #expect(SelfFence.waitBeforeArming(sinceLastFeed: .seconds(600), timeout: timeout, interval: interval) == .zero)
    // A stamp from the future (clock stepped back) counts as just fed.
    #expect(
      SelfFence.waitBeforeArming(sinceLastFeed: .seconds(-30), timeout: timeout, interval: interval) == .seconds(15))
  }

  @Test("notifications reach a datagram socket as systemd's, one key per line; none without NOTIFY_SOCKET")
  func notifications() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString.prefix(8))")
      .path
    let fd = try Self.datagramSocket(at: path)
    defer {
      close(fd)
      unlink(path)
    }
    let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path])
    notifier.ready(status: "node hv1 registered\nWATCHDOG=1")
    #expect(Self.receive(fd) == "READY=1\nSTATUS=node hv1 registered WATCHDOG=1")
    notifier.watchdog()
    #expect(Self.receive(fd) == "WATCHDOG=1")
    notifier.stopping()
    #expect(Self.receive(fd) == "STOPPING=1")

    #expect(SystemdNotifier(environment: [:]).socketPath == nil)
    #expect(!SystemdNotifier(environment: [:]).send(["READY=1"]))
    #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative/path"]).socketPath == nil)
    #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/" + String(repeating: "x", count: 200)]).socketPath == nil)
    // A socket nobody listens on: nothing sent, nothing thrown.
    #expect(!SystemdNotifier(environment: ["NOTIFY_SOCKET": path + "-gone"]).send(["READY=1"]))
  }

  /// A bound `AF_UNIX` datagram socket with a receive timeout of 2 s.
  static func datagramSocket(at path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
    try #require(fd >= 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
    }
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    try #require(bound == 0)
    var timeout = timeval(tv_sec: 2, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    return fd
  }

  static func receive(_ fd: Int32) -> String? {
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = recv(fd, &buffer, buffer.count, 0)
    return count < 0 ? nil : String(decoding: buffer[0..<count], as: UTF8.self)
  }
}
