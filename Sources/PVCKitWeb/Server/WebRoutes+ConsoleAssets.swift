import Foundation
import HTTPTypes
import Hummingbird
import PVCKitServer

extension WebRoutes {
  /// The consoles' scripts: the pages' own, xterm.js (joined from Debian's node-xterm) and noVNC's modules (from
  /// Debian's novnc, served as they are).
  func registerConsoleAssets(on router: Router<PVCRequestContext>) {
    router.get("/static/console.js") { _, _ in
      Self.response(ConsoleScript.js, type: "text/javascript; charset=utf-8", cache: true)
    }
    router.get("/static/vnc.mjs") { _, _ in
      Self.response(ConsoleScript.vnc, type: "text/javascript; charset=utf-8", cache: true)
    }
    router.get("/static/xterm.js") { _, _ in
      switch XtermBundle.script {
      case .success(let script): return Self.response(script, type: "text/javascript; charset=utf-8", cache: true)
      case .failure(let error):
        var response = Self.response("/* \(error.description) */", type: "text/javascript; charset=utf-8")
        response.status = .notFound
        return response
      }
    }
    router.get("/static/xterm.css") { _, _ in
      Self.response(XtermBundle.css ?? "", type: "text/css; charset=utf-8", cache: true)
    }
    router.get("/static/novnc/**") { _, context in
      let parts = context.parameters.getCatchAll().map(String.init)
      guard let text = NoVNCFiles.script(parts) else {
        var response = Self.response("not found", type: "text/plain; charset=utf-8")
        response.status = .notFound
        return response
      }
      return Self.response(text, type: "text/javascript; charset=utf-8", cache: true)
    }
  }
}

/// noVNC's ES modules from Debian's `novnc` (`/usr/share/novnc`): only `.js` files under `core/` and `vendor/`,
/// by plain names (no `..`, no hidden files), at most 2 MiB each.
enum NoVNCFiles {
  static let directory = "/usr/share/novnc"
  static let sizeLimit = 2 << 20

  /// A module's text, or `nil` when the path is not one of noVNC's scripts.
  static func script(_ parts: [String]) -> String? {
    guard let top = parts.first, ["core", "vendor"].contains(top), parts.count <= 8,
      parts.last?.hasSuffix(".js") == true,
      parts.allSatisfy({ part in
        !part.isEmpty && !part.hasPrefix(".")
          && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
      })
    else { return nil }
    let path = directory + "/" + parts.joined(separator: "/")
    guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size <= sizeLimit
    else { return nil }
    return try? String(contentsOfFile: path, encoding: .utf8)
  }

  /// Whether noVNC is installed.
  static var installed: Bool { FileManager.default.fileExists(atPath: directory + "/core/rfb.js") }
}
