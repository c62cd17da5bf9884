public import Foundation
import PVCKit
import Synchronization

/// The simulated nodes as machines: power, network cables, BMCs, daemons and
/// the guests running inside them, through `Scripts/nodes.sh` and
/// `Scripts/ipmi.sh` (the nodes are started by `make test` and `make bench`).
/// The environment gives `NODE_PREFIX`, `PVCKIT_NODE_NET` and `IPMI_PORT_BASE`.
public enum SimulatedNodes {
  static var environment: [String: String] { ProcessInfo.processInfo.environment }
  /// The namespaces' name prefix.
  public static var prefix: String { environment["NODE_PREFIX"] ?? "pt" }
  /// The first three octets of the nodes' network.
  public static var net: String { environment["PVCKIT_NODE_NET"] ?? environment["NODE_NET"] ?? "10.78.0" }
  /// The directory of the nodes' state (pid files, libvirt files).
  public static var state: String { environment["PVCKIT_STATE"] ?? "/tmp/pvckit-test" }
  /// The repository's root (`PVCKIT_ROOT`, else found from this source file).
  public static var root: URL {
    if let root = environment["PVCKIT_ROOT"] { return URL(fileURLWithPath: root) }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
  }

  /// The node's number (hv2 → "2").
  public static func number(_ node: String) -> String { String(NodeIdentity.id(of: node)) }
  /// The node's network namespace.
  public static func namespace(_ node: String) -> String { "\(prefix)-\(node)" }
  /// The node's libvirt URI, reachable from the host over the bridge.
  public static func libvirtURI(_ node: String) -> String { "qemu+tcp://\(net).\(number(node))/system" }
  /// The directory of the node's private libvirt files (logs, pid files).
  public static func root(of node: String) -> String { "\(state)/nodes/\(node)/root" }

  /// Pulls the node's plug: everything in it dies at once (IPMI then reports it off).
  public static func powerOff(_ node: String) throws { try script("nodes.sh", "power-off", number(node)) }
  /// Boots the node: libvirtd, then the daemons it ran.
  public static func powerOn(_ node: String) throws { try script("nodes.sh", "power-on", number(node)) }
  /// Whether the node has power.
  public static func hasPower(_ node: String) throws -> Bool {
    try script("nodes.sh", "power", number(node)).trimmingCharacters(in: .whitespacesAndNewlines) == "1"
  }
  /// Cuts all of the node's network traffic.
  public static func cut(_ node: String) throws { try script("nodes.sh", "cut", number(node)) }
  /// Plugs the node's network back in.
  public static func restore(_ node: String) throws { try script("nodes.sh", "restore", number(node)) }
  /// Stops the node's libvirtd alone (its guests run on).
  public static func stopLibvirt(_ node: String) throws { try script("nodes.sh", "stop-libvirtd", number(node)) }
  /// Starts the node's libvirtd again.
  public static func startLibvirt(_ node: String) throws { try script("nodes.sh", "start-libvirtd", number(node)) }
  /// Stops the node's BMC (its IPMI no longer answers).
  public static func stopBMC(_ node: String) throws { try script("ipmi.sh", "stop", number(node)) }
  /// Starts every BMC that is not running.
  public static func startBMCs() throws { try script("ipmi.sh", "start", "3") }
  /// The IPMI host name template for the configuration (`{node_id}` is the node's number).
  public static var ipmiHostname: String {
    let base = Int(environment["IPMI_PORT_BASE"] ?? "23620") ?? 23620
    return "\(net).254:\(base / 10){node_id}"
  }

  /// Starts a daemon inside the node's namespace, under `tag` (restarted when the node powers on).
  public static func startDaemon(on node: String, tag: String, log: String, command: [String]) throws {
    try script("nodes.sh", arguments: ["start-pvcd", number(node), tag, log] + command)
  }
  /// Stops the node's daemon started under `tag` (SIGTERM, then waits).
  public static func stopDaemon(on node: String, tag: String) throws {
    try script("nodes.sh", "stop-pvcd", number(node), tag)
  }
  /// The pid of the node's daemon started under `tag`.
  public static func daemonPID(on node: String, tag: String) throws -> pid_t? {
    let text = try String(contentsOfFile: "\(state)/nodes/\(node)/pvcd-\(tag).pid", encoding: .utf8)
    return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
  }

  /// Runs a command inside the node's namespace (as root) and returns its output.
  public static func inside(_ node: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    try run(URL(fileURLWithPath: "/usr/sbin/ip"), ["netns", "exec", namespace(node)] + arguments)
  }

  /// The UUIDs of the guests running on the node (asked inside the node, so that a cut cable does not matter).
  public static func guests(on node: String) -> Set<String> {
    guard (try? hasPower(node)) == true,
      let result = try? inside(node, ["virsh", "-q", "-c", libvirtURI(node), "list", "--state-running", "--uuid"]),
      result.status == 0
    else { return [] }
    return Set(
      result.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
  }

  /// The nodes running the guest.
  public static func hosts(of uuid: String, among nodes: [String] = ["hv1", "hv2", "hv3"]) -> [String] {
    nodes.filter { guests(on: $0).contains(uuid) }
  }

  /// Whether the floating address is on the node's network device.
  public static func holds(_ address: String, _ node: String) -> Bool {
    (try? inside(node, ["ip", "-o", "-4", "address", "show", "dev", "hvnet0"]).output.contains(" \(address)/")) ?? false
  }

  /// Brings a node fully back (cable, power, BMC) after a test broke it.
  public static func repair(_ node: String) throws {
    try restore(node)
    try powerOn(node)  // a no-op for what already runs
    try startBMCs()
  }

  /// A project script failed.
  public struct ScriptFailure: Error, CustomStringConvertible {
    /// The command line.
    public var command: String
    /// Its exit status.
    public var status: Int32
    public var description: String { "\(command) exited with \(status)" }

    /// Creates a failure report.
    public init(command: String, status: Int32) {
      self.command = command
      self.status = status
    }
  }

  /// Runs a project script and returns its standard output.
  @discardableResult
  public static func script(_ name: String, _ arguments: String...) throws -> String {
    try script(name, arguments: arguments)
  }

  /// Runs a project script with an argument list and returns its standard output.
  @discardableResult
  public static func script(_ name: String, arguments: [String]) throws -> String {
    let result = try run(root.appendingPathComponent("Scripts/\(name)"), arguments, errors: false)
    guard result.status == 0 else {
      throw ScriptFailure(command: ([name] + arguments).joined(separator: " "), status: result.status)
    }
    return result.output
  }

  static func run(_ executable: URL, _ arguments: [String], errors: Bool = true) throws -> (
    status: Int32, output: String
  ) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    if errors { process.standardError = pipe }
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}

/// Samples where guests run, in the background, and remembers any moment one ran on two nodes.
public final class TwoCopiesWatch: Sendable {
  private final class Seen: Sendable {
    let copies = Mutex<[String]>([])
  }
  private let seen = Seen()
  private let task = Mutex<Task<Void, Never>?>(nil)

  /// Starts watching the guests.
  public init(_ uuids: [String], nodes: [String] = ["hv1", "hv2", "hv3"]) {
    let seen = seen
    let watching = Task.detached {
      while !Task.isCancelled {
        let placements = nodes.map { ($0, SimulatedNodes.guests(on: $0)) }
        for uuid in uuids {
          let hosts = placements.filter { $0.1.contains(uuid) }.map(\.0)
          guard hosts.count > 1 else { continue }
          // The nodes are asked one after the other, so a live migration's switchover
          // can look like two copies: ask again, in the other order.
          let again = hosts.reversed().filter { SimulatedNodes.guests(on: $0).contains(uuid) }
          if again.count > 1 { seen.copies.withLock { $0.append("\(uuid) on \(hosts.joined(separator: ", "))") } }
        }
        try? await Task.sleep(for: .milliseconds(250))
      }
    }
    task.withLock { $0 = watching }
  }

  /// Stops watching and returns what was seen.
  public func stop() -> [String] {
    task.withLock { $0?.cancel() }
    return seen.copies.withLock { $0 }
  }
}
