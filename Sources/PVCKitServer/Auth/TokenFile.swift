import Foundation

/// The API token `pvcapi` and `pvcweb` use when authentication is on but
/// `pvc.conf` names no token: generated once (32 random bytes, hexadecimal) and
/// kept in a file readable by root only (`api.authentication.token_file`,
/// default `/var/lib/pvc/api-token`), so both servers and administrators on the
/// host find the same one.
public enum TokenFile {
  /// The token in `path`, created first if the file does not exist.
  /// - Throws: ``ServerError/notStarted(_:)`` when the file cannot be read or written,
  ///   is not a regular file, or is readable by others than its owner.
  public static func loadOrCreate(at path: String) throws -> String {
    let manager = FileManager.default
    if !manager.fileExists(atPath: path) {
      let directory = (path as NSString).deletingLastPathComponent
      try? manager.createDirectory(
        atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      var bytes = [UInt8](repeating: 0, count: 32)
      var generator = SystemRandomNumberGenerator()
      for index in bytes.indices { bytes[index] = generator.next() }
      let token = bytes.map { String(format: "%02x", $0) }.joined()
      // Created with mode 600 from the first byte, and never over an existing file (or link).
      let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
      if fd >= 0 {
        let data = Array((token + "\n").utf8)
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == data.count else { throw ServerError.notStarted("cannot write the API token to \(path)") }
        return token
      }
      guard errno == EEXIST else {
        throw ServerError.notStarted("cannot create the API token file \(path): \(String(cString: strerror(errno)))")
      }
    }
    var info = stat()
    guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
      throw ServerError.notStarted("the API token file \(path) is not a regular file")
    }
    guard info.st_mode & 0o077 == 0 else {
      throw ServerError.notStarted("the API token file \(path) is readable by others: make it mode 600")
    }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw ServerError.notStarted("cannot read the API token file \(path)")
    }
    let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard token.utf8.count >= 16, !token.contains(where: \.isNewline) else {
      throw ServerError.notStarted("the API token file \(path) holds no token of 16 characters or more")
    }
    return token
  }
}
