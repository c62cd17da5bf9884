/// A node's IPMI (BMC) as the fencer reaches it, through `ipmitool` over LAN.
///
/// The host name may carry a port (`host:port`, a PVCKit extension for
/// simulators); the password goes through the environment, never the command line.
public struct IPMIClient: Sendable, Hashable {
  public var host: String
  public var port: Int
  public var username: String
  public var password: String

  /// Creates a client from a node's stored IPMI values.
  /// - Throws: ``IPMIError/invalidSettings(_:)`` for a host, port or user name that is not plausible.
  public init(hostname: String, username: String, password: String) throws {
    let parts = hostname.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    guard parts.count <= 2, let host = parts.first, PVCConfiguration.isHostName(host) || IPv4Address(host) != nil
    else { throw IPMIError.invalidSettings("IPMI host '\(hostname)'") }
    let port = parts.count == 2 ? Int(parts[1]) : 623
    guard let port, (1...65535).contains(port) else { throw IPMIError.invalidSettings("IPMI port in '\(hostname)'") }
    guard !username.isEmpty, !username.hasPrefix("-"), !username.contains("\0") else {
      throw IPMIError.invalidSettings("IPMI user name '\(username)'")
    }
    guard !password.contains("\0") else { throw IPMIError.invalidSettings("IPMI password") }
    self.host = host
    self.port = port
    self.username = username
    self.password = password
  }

  /// Turns the power off.
  public func powerOff() async throws { _ = try await chassis(["power", "off"]) }

  /// Turns the power on.
  public func powerOn() async throws { _ = try await chassis(["power", "on"]) }

  /// The power status.
  public func powerStatus() async throws -> PowerStatus {
    let output = try await chassis(["power", "status"]).lowercased()
    // ipmitool prints "Chassis Power is on|off"; compare without case (upstream's check had the case wrong).
    if output.contains("power is off") { return .off }
    if output.contains("power is on") { return .on }
    throw IPMIError.failed("unexpected answer: \(output)")
  }

  /// Asks for the status, mapping every failure to ``PowerStatus/unreachable(_:)``.
  public func status() async -> PowerStatus {
    do {
      return try await powerStatus()
    } catch {
      return .unreachable("\(error)")
    }
  }

  private func chassis(_ command: [String]) async throws -> String {
    let arguments = [
      "-I", "lanplus", "-H", host, "-p", String(port), "-U", username, "-E", "-C", "3", "-N", "1", "-R", "2",
      "chassis",
    ]
    let outcome = try await Command("/usr/bin/ipmitool", "/usr/sbin/ipmitool").run(
      arguments + command, environment: ["IPMI_PASSWORD": password], timeout: .seconds(15))
    if outcome.timedOut { throw IPMIError.failed("ipmitool timed out") }
    let text = outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
    guard outcome.status == 0 else { throw IPMIError.failed(text.isEmpty ? "ipmitool failed" : text) }
    return text
  }
}

/// An IPMI failure.
public enum IPMIError: Error, Sendable, Hashable, CustomStringConvertible {
  case invalidSettings(String)
  case failed(String)

  public var description: String {
    switch self {
    case .invalidSettings(let what): "invalid \(what)"
    case .failed(let why): why
    }
  }
}
