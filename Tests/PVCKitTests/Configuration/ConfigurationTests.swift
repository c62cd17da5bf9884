import Foundation
import PVCKit
import Testing

/// `pvc.conf` parsing: a full file, and every kind of mistake named by key and file.
@Suite("Configuration file")
struct ConfigurationTests {
  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/pvc.conf").path

  static func text() throws -> String { try String(contentsOfFile: fixture, encoding: .utf8) }

  @Test("a complete upstream-layout file is read into typed values")
  func parsesCompleteFile() throws {
    let config = try PVCConfiguration.load(from: Self.fixture)
    #expect(config.cluster.name == "testcluster")
    #expect(config.cluster.coordinatorNodes == ["hv1", "hv2", "hv3"])
    #expect(config.cluster.upstream.floatingAddress == IPv4Address("10.0.0.250"))
    #expect(config.cluster.upstream.gatewayAddress == IPv4Address("10.0.0.254"))
    #expect(config.cluster.cluster.gatewayAddress == nil)
    #expect(config.cluster.storage.nodeIPSelection == .fixed(IPv4Address("10.0.2.11")!))
    #expect(config.cluster.storage.mtu == 9000)
    #expect(!config.subsystems.storage)
    #expect(config.timers.vmShutdownTimeout == 120)
    #expect(config.timers.keepaliveInterval == 2)
    #expect(config.timers.monitoringInterval == 15)
    #expect(config.fencing.fenceIntervals == 4)
    #expect(config.fencing.suicideIntervals == 3)
    #expect(config.fencing.successfulFence == .migrate)
    #expect(config.fencing.failedFence == PVCConfiguration.FenceAction.none)
    #expect(config.targetSelector == .memprov)
    #expect(config.flushWindow == 4)
    #expect(config.logging.consoleLogLines == 500)
    #expect(config.logging.nodeLogLines == 2000)
    #expect(config.guestNetworking.sriovDevices.first?.vfCount == 4)
    #expect(config.api.listenPort == 7370)
    #expect(config.api.tokens.map(\.token) == ["abcdef0123456789"])
    #expect(config.api.tokens.map(\.description) == ["testing"])
    #expect(config.zookeeperHosts == "hv1:2181,hv2:2181,hv3:2181")
  }

  @Test("upstream's singular suicide_interval spelling is accepted too")
  func suicideIntervalAlias() throws {
    let text = try Self.text().replacingOccurrences(of: "suicide_intervals: 3", with: "suicide_interval: 5")
    #expect(try PVCConfiguration.parse(text, file: "x.conf").fencing.suicideIntervals == 5)
  }

  @Test("a watchdog makes failed fences recoverable once the node must have stopped its VMs")
  func watchdog() throws {
    let text = try Self.text().replacingOccurrences(
      of: "  ipmi:\n", with: "  watchdog:\n    device: /dev/watchdog\n    timeout: 7\n  ipmi:\n")
    let config = try PVCConfiguration.parse(text, file: "x.conf")
    #expect(config.fencing.watchdog?.device == "/dev/watchdog")
    #expect(config.fencing.watchdog?.timeout == 7)
    let policy = FencePolicy.from(config)
    #expect(policy.selfFencedSafelyAfterExpiry == .seconds(2 * 3 + 7 + 2))
    #expect(
      FencePolicy.from(try PVCConfiguration.parse(try Self.text(), file: "x.conf")).selfFencedSafelyAfterExpiry == nil)
    let relative = text.replacingOccurrences(of: "device: /dev/watchdog", with: "device: ../watchdog")
    #expect(throws: ConfigurationError.self) { try PVCConfiguration.parse(relative, file: "x.conf") }
  }

  @Test("explicit ZooKeeper hosts replace the coordinators")
  func zookeeperHosts() throws {
    let text = try Self.text().replacingOccurrences(
      of: "    port: 2181\n", with: "    port: 2181\n    hosts: [\"127.0.0.1:2181\", \"127.0.0.1:2182\"]\n")
    #expect(try PVCConfiguration.parse(text, file: "x.conf").zookeeperHosts == "127.0.0.1:2181,127.0.0.1:2182")
  }

  @Test(
    "mistakes are reported with the file and the key",
    arguments: [
      ("  name: testcluster\n", "", "cluster.name: required key is missing"),
      (
        "        netmask: 24\n        network_address: 10.0.1.0",
        "        netmask: abc\n        network_address: 10.0.1.0",
        "cluster.networks.cluster.ipv4.netmask: expected a whole number from 1 to 32, found 'abc'"
      ),
      (
        "floating_address: 10.0.0.250", "floating_address: 10.9.0.250",
        "cluster.networks.upstream.ipv4.floating_address: 10.9.0.250 is not inside 10.0.0.0/24"
      ),
      (
        "target_selector: memprov", "target_selector: fastest",
        "migration.target_selector: expected one of mem, memprov, load, vcpus, vms, found 'fastest'"
      ),
      (
        "target_selector: memprov", "target_selector: memprov\n  flush_window: 0",
        "migration.flush_window: expected a whole number from 1 to 64, found '0'"
      ),
      (
        "successful_fence: migrate", "successful_fence: reboot",
        "fencing.actions.successful_fence: expected one of migrate, none, found 'reboot'"
      ),
      (
        "coordinator_nodes: [hv1, hv2, hv3]", "coordinator_nodes: [hv1, hv4]",
        "cluster.coordinator_nodes: 'hv4' is not listed in all_nodes"
      ),
      (
        "all_nodes: [hv1, hv2, hv3]", "all_nodes: [hv1, \"hv 2\", hv3]",
        "cluster.all_nodes[1]: 'hv 2' is not a valid host name"
      ),
      ("    port: 7370", "    port: 99999", "api.listen.port: expected a whole number from 1 to 65535, found '99999'"),
      ("      token: \"abcdef0123456789\"\n", "", "api.token[0].token: required key is missing"),
      (
        "node_ip_selection: 10.0.2.11", "node_ip_selection: 10.0.9.11",
        "cluster.networks.storage.node_ip_selection: expected 'by-id' or an address inside 10.0.2.0/24, found '10.0.9.11'"
      ),
      (
        "  enable_storage: no", "  enable_storage: maybe", "subsystem.enable_storage: expected yes or no, found 'maybe'"
      ),
      (
        "timer:\n  vm_shutdown_timeout: 120\n  keepalive_interval: 2\n", "timer: 5\n",
        "timer: expected a mapping of keys to values"
      ),
      ("  disable_on_ipmi_failure: no\n", "", "fencing.disable_on_ipmi_failure: required key is missing"),
    ])
  func namedMistakes(original: String, replacement: String, message: String) throws {
    let text = try Self.text()
    #expect(text.contains(original), "fixture does not contain \(original)")
    let broken = text.replacingOccurrences(of: original, with: replacement)
    let error = #expect(throws: ConfigurationError.self) {
      try PVCConfiguration.parse(broken, file: "/etc/pvc/pvc.conf")
    }
    #expect(error?.description == "/etc/pvc/pvc.conf: \(message)")
  }

  @Test("unreadable, non-YAML and non-mapping files are refused clearly")
  func unreadableFiles() throws {
    let missing = #expect(throws: ConfigurationError.self) { try PVCConfiguration.load(from: "/nonexistent/pvc.conf") }
    #expect(missing?.description.hasPrefix("/nonexistent/pvc.conf: cannot read the file") == true)

    let syntax = #expect(throws: ConfigurationError.self) { try PVCConfiguration.parse("a: [b, c\n", file: "bad.conf") }
    #expect(syntax?.description.hasPrefix("bad.conf: not valid YAML") == true)

    let list = #expect(throws: ConfigurationError.self) { try PVCConfiguration.parse("- a\n- b\n", file: "list.conf") }
    #expect(list?.description == "list.conf: expected a YAML mapping at the top level")
  }

  @Test("IPv4 addresses are parsed strictly")
  func addresses() {
    #expect(IPv4Address("10.0.0.1")?.description == "10.0.0.1")
    for bad in ["10.0.0", "10.0.0.256", "010.0.0.1", "a.b.c.d", "1.2.3.4.5", "", " 1.2.3.4", "1..2.3"] {
      #expect(IPv4Address(bad) == nil, "\(bad) was accepted")
    }
    #expect(IPv4Address("10.1.2.3")!.isIn(network: IPv4Address("10.1.0.0")!, prefix: 16))
    #expect(!IPv4Address("10.2.2.3")!.isIn(network: IPv4Address("10.1.0.0")!, prefix: 16))
  }
}
