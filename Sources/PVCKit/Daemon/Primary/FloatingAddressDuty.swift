import Foundation

/// Holds a floating address on a local network device while this node is primary.
public struct FloatingAddressDuty: PrimaryDuty {
  /// The address with its prefix length, e.g. `10.0.0.250/24`.
  public let address: String
  /// The device (e.g. `brupstream`).
  public let device: String

  public var name: String { "floating address \(address) on \(device)" }

  /// Creates the duty; the address and device are checked so that nothing unchecked reaches `ip`.
  public init(address: IPv4Address, prefixLength: Int, device: String) throws {
    guard (1...32).contains(prefixLength) else { throw PrimaryDutyError.invalid("prefix length \(prefixLength)") }
    guard NetworkDevice.isValidName(device) else { throw PrimaryDutyError.invalid("device name '\(device)'") }
    self.address = "\(address)/\(prefixLength)"
    self.device = device
  }

  public func start() async throws {
    guard NetworkDevice.exists(device) else { throw PrimaryDutyError.failed("no network device \(device)") }
    // `replace` succeeds whether or not the address is already there.
    try await NetworkDevice.ip(["address", "replace", address, "dev", device])
    Task { await announce() }  // best effort, and the handover does not wait for it
  }

  /// Tells the network the address moved (unsolicited ARP, as upstream's `arping`): hosts that knew it at the
  /// old primary's MAC address send to this one at once instead of after their neighbour entry ages out.
  /// Without iputils' `arping` they learn it in their own time.
  func announce() async {
    let arping = Command("/usr/bin/arping", "/usr/sbin/arping")
    guard FileManager.default.isExecutableFile(atPath: arping.executable) else { return }
    let ip = String(address.prefix { $0 != "/" })
    _ = try? await arping.run(["-U", "-c", "2", "-w", "2", "-I", device, ip], timeout: .seconds(5))
  }

  public func stop() async {
    _ = try? await NetworkDevice.ip(["address", "del", address, "dev", device])
  }

  /// Whether the address is on the device now.
  public func isPresent() async -> Bool {
    (try? await NetworkDevice.ip(["-o", "-4", "address", "show", "dev", device]))?.contains(" \(address) ") ?? false
  }
}

/// Why a primary duty could not be set up or started.
public enum PrimaryDutyError: Error, Sendable, Hashable, CustomStringConvertible {
  case invalid(String)
  case failed(String)

  public var description: String {
    switch self {
    case .invalid(let what): "invalid \(what)"
    case .failed(let why): why
    }
  }
}

/// Local network devices, through `ip` (arguments passed as a list, never through a shell).
enum NetworkDevice {
  /// Linux interface names: 1-15 characters, no slash, colon or whitespace.
  static func isValidName(_ name: String) -> Bool {
    !name.isEmpty && name.utf8.count <= 15 && name != "." && name != ".."
      && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.@".contains($0)) }
  }

  static func exists(_ name: String) -> Bool {
    FileManager.default.fileExists(atPath: "/sys/class/net/\(name)")
  }

  /// Runs `ip` with `arguments`; returns its output.
  @discardableResult
  static func ip(_ arguments: [String]) async throws -> String {
    let outcome = try await Command("/usr/sbin/ip", "/sbin/ip").run(arguments, timeout: .seconds(10))
    guard outcome.status == 0 else {
      let reason = outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
      throw PrimaryDutyError.failed("ip \(arguments.joined(separator: " ")): \(reason)")
    }
    return outcome.output
  }
}
