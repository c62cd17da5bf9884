import Foundation

/// A failed call into Ceph (librados or librbd): what was asked, the errno it
/// returned, and Ceph's own message when it gave one.
public struct CephError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What PVCKit asked Ceph to do ("connect", "mon command 'osd pool ls'"...).
  public let operation: String
  /// The (positive) errno.
  public let code: Int32
  /// Ceph's message (a mon command's status text), or the errno's text.
  public let message: String

  /// An error from a librados/librbd return value (a negative errno).
  init(_ operation: String, returned: Int32, message: String? = nil) {
    self.operation = operation
    code = returned < 0 ? -returned : returned
    let text = message?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    self.message = text.isEmpty ? String(cString: strerror(code)) : text
  }

  public var description: String { "Ceph: \(operation) failed: \(message) (errno \(code))" }
}

extension CephError: ClassifiedError {
  public var kind: ErrorKind {
    switch code {
    case ENOENT: .notFound
    case EEXIST, EBUSY, ENOTEMPTY, EPERM, EACCES, EDQUOT, ENOSPC: .refused
    case ETIMEDOUT: .timedOut
    case ENOTCONN, ECONNREFUSED, ESHUTDOWN, EHOSTUNREACH: .unavailable
    case EINVAL, ERANGE, ENAMETOOLONG: .invalid
    default: .failed
    }
  }
}
