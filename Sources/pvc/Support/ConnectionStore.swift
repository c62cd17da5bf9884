import Foundation
import PVCKit

/// The client's saved connections, in upstream's file (`$PVC_CLIENT_DIR/pvc.json`,
/// by default `~/.config/pvc/pvc.json`, mode 600): an API connection is
/// `{"description", "host", "port", "scheme", "api_key"}`; a direct one (PVCKit's
/// addition) is `{"description", "zookeeper"}`; `local` may name a configuration file.
struct ConnectionStore {
  /// One saved connection.
  struct Entry: Codable, Equatable {
    enum CodingKeys: String, CodingKey {
      case description, host, port, scheme, zookeeper, cfgfile
      case apiKey = "api_key"
    }

    var description: String?
    var host: String?
    var port: Int?
    var scheme: String?
    var apiKey: String?
    var zookeeper: String?
    var cfgfile: String?

    /// The API's base URL, for an API connection.
    var url: URL? {
      guard let host else { return nil }
      let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
      return URL(string: "\(scheme ?? "http")://\(bracketed):\(port ?? 7370)")
    }

    /// Where it leads, for people.
    var address: String {
      if let zookeeper { return "zookeeper://\(zookeeper)" }
      if let url { return url.absoluteString }
      return cfgfile.map { "config \($0)" } ?? "?"
    }
  }

  var entries: [String: Entry]

  /// The file's path.
  static var file: URL {
    let environment = ProcessInfo.processInfo.environment
    if let directory = environment["PVC_CLIENT_DIR"], !directory.isEmpty {
      return URL(fileURLWithPath: directory).appendingPathComponent("pvc.json")
    }
    if let home = environment["HOME"], !home.isEmpty {
      return URL(fileURLWithPath: home).appendingPathComponent(".config/pvc/pvc.json")
    }
    return FileManager.default.temporaryDirectory.appendingPathComponent("pvc/pvc.json")
  }

  /// Reads the store (empty if there is no file).
  static func load() throws -> ConnectionStore {
    let file = Self.file
    guard FileManager.default.fileExists(atPath: file.path) else { return ConnectionStore(entries: [:]) }
    do {
      return ConnectionStore(entries: try UpstreamJSON.decode([String: Entry].self, from: Data(contentsOf: file)))
    } catch {
      throw CLIError("cannot read the connections in \(file.path): \(error.localizedDescription)")
    }
  }

  /// Writes the store, readable by its owner only.
  func save() throws {
    let file = Self.file
    try FileManager.default.createDirectory(
      at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    let data = try UpstreamJSON.encoder(pretty: true).encode(entries)
    guard FileManager.default.createFile(atPath: file.path, contents: data, attributes: [.posixPermissions: 0o600])
    else { throw CLIError("cannot write \(file.path)") }
  }
}
