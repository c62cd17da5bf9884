import Foundation
import PVCKit
import Synchronization

/// The simulated nodes as machines: power, network cables, BMCs, and what runs
/// inside them (Scripts/nodes.sh and Scripts/ipmi.sh, started by `make test`).
enum SimulatedNodes {
  static var prefix: String { ProcessInfo.processInfo.environment["NODE_PREFIX"] ?? "pt" }
  static var net: String { NodeCluster.nodeNet }

  static func number(_ node: String) -> String { String(NodeIdentity.id(of: node)) }
  static func namespace(_ node: String) -> String { "\(prefix)-\(node)" }

  /// Pulls the node's plug: everything in it dies at once (IPMI then reports it off).
  static func powerOff(_ node: String) throws { try TestServices.script("nodes.sh", "power-off", number(node)) }
  /// Boots the node: libvirtd, then the daemons it ran.
  static func powerOn(_ node: String) throws { try TestServices.script("nodes.sh", "power-on", number(node)) }
  /// Whether the node has power.
  static func hasPower(_ node: String) throws -> Bool {
    try TestServices.script("nodes.sh", "power", number(node)).trimmingCharacters(in: .whitespacesAndNewlines) == "1"
  }
  /// Cuts all of the node's network traffic.
  static func cut(_ node: String) throws { try TestServices.script("nodes.sh", "cut", number(node)) }
  /// Plugs the node's network back in.
  static func restore(_ node: String) throws { try TestServices.script("nodes.sh", "restore", number(node)) }
  /// Stops the node's BMC (its IPMI no longer answers).
  static func stopBMC(_ node: String) throws { try TestServices.script("ipmi.sh", "stop", number(node)) }
  /// Starts every BMC that is not running.
  static func startBMCs() throws { try TestServices.script("ipmi.sh", "start", "3") }
  /// The IPMI host name template for the configuration (`{node_id}` is the node's number).
  static var ipmiHostname: String {
    let base = Int(ProcessInfo.processInfo.environment["IPMI_PORT_BASE"] ?? "23620") ?? 23620
    return "\(net).254:\(base / 10){node_id}"
  }

  /// Runs a command inside the node's namespace (as root) and returns its output.
  static func inside(_ node: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
    process.arguments = ["netns", "exec", namespace(node)] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  /// The UUIDs of the guests running on the node (asked inside the node, so that a cut cable does not matter).
  static func guests(on node: String) -> Set<String> {
    guard (try? hasPower(node)) == true,
      let result = try? inside(
        node, ["virsh", "-q", "-c", "qemu+tcp://\(net).\(number(node))/system", "list", "--state-running", "--uuid"]),
      result.status == 0
    else { return [] }
    return Set(
      result.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
  }

  /// The nodes running the guest.
  static func hosts(of uuid: String, among nodes: [String] = ["hv1", "hv2", "hv3"]) -> [String] {
    nodes.filter { guests(on: $0).contains(uuid) }
  }

  /// Whether the floating address is on the node's network device.
  static func holds(_ address: String, _ node: String) -> Bool {
    (try? inside(node, ["ip", "-o", "-4", "address", "show", "dev", "hvnet0"]).output.contains(" \(address)/")) ?? false
  }

  /// Brings a node fully back (cable, power, BMC) after a test broke it.
  static func repair(_ node: String) throws {
    try restore(node)
    try powerOn(node)  // a no-op for what already runs
    try startBMCs()
  }
}

/// Samples where guests run, in the background, and remembers any moment one ran on two nodes.
final class TwoCopiesWatch: Sendable {
  private let seen = Shared<[String]>([])
  private let task: Task<Void, Never>

  /// Starts watching the guests.
  init(_ uuids: [String]) {
    let seen = seen
    task = Task.detached {
      while !Task.isCancelled {
        let placements = ["hv1", "hv2", "hv3"].map { ($0, SimulatedNodes.guests(on: $0)) }
        for uuid in uuids {
          let hosts = placements.filter { $0.1.contains(uuid) }.map(\.0)
          guard hosts.count > 1 else { continue }
          // The nodes are asked one after the other, so a live migration's switchover
          // can look like two copies: ask again, in the other order.
          let again = hosts.reversed().filter { SimulatedNodes.guests(on: $0).contains(uuid) }
          if again.count > 1 { seen.update { $0.append("\(uuid) on \(hosts.joined(separator: ", "))") } }
        }
        try? await Task.sleep(for: .milliseconds(250))
      }
    }
  }

  /// Stops watching and returns what was seen.
  func stop() -> [String] {
    task.cancel()
    return seen.value
  }
}
