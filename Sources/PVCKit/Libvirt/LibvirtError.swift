import CLibvirt

/// An error reported by libvirt, with the operation that failed.
public struct LibvirtError: Error, Sendable, Hashable, CustomStringConvertible {
  /// libvirt's error number (`virErrorNumber`).
  public var code: Int32
  /// The operation, such as `create` or `migrate`.
  public var operation: String
  /// libvirt's message.
  public var message: String

  /// Creates an error.
  public init(code: Int32, operation: String, message: String) {
    self.code = code
    self.operation = operation
    self.message = message
  }

  /// The error libvirt recorded for the calling thread.
  static func last(_ operation: String) -> LibvirtError {
    guard let error = virGetLastError() else {
      return LibvirtError(code: -1, operation: operation, message: "unknown libvirt error")
    }
    let message = error.pointee.message.map { String(cString: $0) } ?? "libvirt error \(error.pointee.code)"
    return LibvirtError(code: error.pointee.code, operation: operation, message: message)
  }

  /// Whether the domain does not exist (on this connection).
  public var isNoDomain: Bool { code == Int32(VIR_ERR_NO_DOMAIN.rawValue) }

  public var description: String { "libvirt \(operation): \(message)" }
}
