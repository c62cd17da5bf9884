import Foundation
import FoundationXML

/// How this node's QEMU reaches Ceph for a VM's RBD disks (from pvc.conf's `ceph` section).
public struct RBDClientSettings: Sendable, Hashable {
  /// The monitors, `host:port`.
  public var monitors: [String]
  /// The libvirt secret holding the key of ``user`` (pvcd defines it at start).
  public var secretUUID: String?
  /// The Ceph user QEMU connects as.
  public var user: String
  /// The keyring the key comes from.
  public var keyringFile: String?

  /// Settings.
  public init(monitors: [String], secretUUID: String?, user: String, keyringFile: String? = nil) {
    self.monitors = monitors
    self.secretUUID = secretUUID
    self.user = user
    self.keyringFile = keyringFile
  }

  /// The key of `client.<user>` in keyring text (`key = ...` in its section), if there is one.
  public static func key(of user: String, inKeyring text: String) -> String? {
    var section = ""
    for line in text.split(whereSeparator: \.isNewline) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.hasPrefix("[") && trimmed.hasSuffix("]") {
        section = String(trimmed.dropFirst().dropLast())
      } else if section == "client.\(user)", let equals = trimmed.firstIndex(of: "="),
        trimmed[..<equals].trimmingCharacters(in: .whitespaces) == "key"
      {
        return trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
      }
    }
    return nil
  }

  /// The first `client.<user>` section's user in keyring text.
  public static func user(inKeyring text: String) -> String? {
    for line in text.split(whereSeparator: \.isNewline) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.hasPrefix("[client.") && trimmed.hasSuffix("]") {
        return String(trimmed.dropFirst("[client.".count).dropLast())
      }
    }
    return nil
  }
}

/// Completes a VM's RBD disks for this node (pure): a disk without monitor
/// hosts gets the configured monitors, one without authentication gets the
/// node's secret. What the definition already says is kept, so definitions
/// made by upstream (which carry their own) start unchanged.
enum RBDDiskPlan {
  /// The `pool/volume` names of the definition's RBD disks.
  static func volumes(_ xml: String) -> [String] {
    (try? DomainXML(stored: xml).summary.disks.filter { $0.type == "rbd" }.map(\.name)) ?? []
  }

  /// The definition with its RBD disks completed (the text itself when nothing is missing).
  static func completing(_ xml: String, with client: RBDClientSettings) throws -> String {
    guard !volumes(xml).isEmpty else { return xml }
    var changed = false
    let edited = try DomainXML.edited(xml) { root in
      for disk in root.child("devices")?.children(named: "disk") ?? [] {
        guard disk.attribute("type") == "network", let source = disk.child("source"),
          source.attribute("protocol") == "rbd"
        else { continue }
        if source.children(named: "host").isEmpty {
          for monitor in client.monitors {
            guard let colon = monitor.lastIndex(of: ":") else { continue }
            let host = XMLElement(name: "host")
            host.setAttribute("name", String(monitor[..<colon]))
            host.setAttribute("port", String(monitor[monitor.index(after: colon)...]))
            source.addChild(host)
            changed = true
          }
        }
        if disk.child("auth") == nil, let uuid = client.secretUUID {
          let auth = XMLElement(name: "auth")
          auth.setAttribute("username", client.user)
          let secret = XMLElement(name: "secret")
          secret.setAttribute("type", "ceph")
          secret.setAttribute("uuid", uuid)
          auth.addChild(secret)
          disk.insertChild(auth, at: 0)
          changed = true
        }
      }
    }
    return changed ? edited.text : xml
  }
}
