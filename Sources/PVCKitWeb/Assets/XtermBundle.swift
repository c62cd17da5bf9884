import Foundation

/// xterm.js from Debian's `node-xterm`, made into one browser script.
///
/// Debian ships xterm.js (3.8) only as CommonJS modules under `/usr/share/nodejs/xterm/lib` (its
/// `/usr/share/javascript/xterm/xterm.js` is a stub that cannot load in a browser). Rather than run a bundler at
/// build time, pvcweb joins the modules itself when first asked: each module's text wrapped in a function, with a
/// small `require` that resolves the relative paths xterm uses, and `window.Terminal` set to its export. Only
/// relative requires inside the directory are followed; the number and size of modules are bounded.
enum XtermBundle {
  /// Where Debian installs the modules.
  static let directory = "/usr/share/nodejs/xterm/lib"
  /// At most this many modules (xterm 3.8 has about 60).
  static let moduleLimit = 400
  /// At most this many bytes in all.
  static let sizeLimit = 8 << 20

  /// The script, or why there is none (node-xterm not installed).
  static let script: Result<String, BundleError> = Result { try bundle(from: directory) }.mapError {
    $0 as? BundleError ?? BundleError("xterm.js cannot be read: \($0)")
  }

  /// xterm's stylesheet.
  static let css: String? = try? String(contentsOfFile: directory + "/xterm.css", encoding: .utf8)

  /// Why the bundle could not be made.
  struct BundleError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
  }

  /// Joins the module `entry` of `directory` and every module it requires into one script.
  static func bundle(from directory: String, entry: String = "xterm") throws -> String {
    guard FileManager.default.fileExists(atPath: directory + "/" + entry + ".js") else {
      throw BundleError("xterm.js is not installed (Debian's package node-xterm puts it in \(directory))")
    }
    let requirePattern = try Regex(#"require\("(\.{1,2}/[^"]+)"\)"#)
    var modules: [String: String] = [:]
    var pending = [entry]
    var total = 0
    while let id = pending.popLast() {
      guard modules[id] == nil else { continue }
      guard modules.count < moduleLimit else { throw BundleError("xterm.js has more than \(moduleLimit) modules") }
      let source = try String(contentsOfFile: directory + "/" + id + ".js", encoding: .utf8)
      total += source.utf8.count
      guard total <= sizeLimit else { throw BundleError("xterm.js is larger than \(sizeLimit) bytes") }
      modules[id] = source.split(separator: "\n", omittingEmptySubsequences: false)
        .filter { !$0.hasPrefix("//# sourceMappingURL=") }.joined(separator: "\n")
      for match in source.matches(of: requirePattern) {
        guard let path = match.output[1].substring.map(String.init),
          let resolved = resolve(path, from: id, in: directory)
        else { continue }
        if modules[resolved] == nil { pending.append(resolved) }
      }
    }
    var script = "(function () {\n  var definitions = {}, loaded = {};\n"
    for (id, source) in modules.sorted(by: { $0.key < $1.key }) {
      script += "  definitions[\(quoted(id))] = function (module, exports, require) {\n\(source)\n};\n"
    }
    script += """
        function resolve(from, path) {
          var parts = from.split("/");
          parts.pop();
          path.split("/").forEach(function (part) {
            if (part === "..") parts.pop(); else if (part !== ".") parts.push(part);
          });
          var id = parts.join("/");
          return definitions[id] ? id : id + "/index";
        }
        function load(id) {
          if (loaded[id]) return loaded[id].exports;
          var module = { exports: {} };
          loaded[id] = module;
          definitions[id](module, module.exports, function (path) { return load(resolve(id, path)); });
          return module.exports;
        }
        window.Terminal = load(\(quoted(entry)));
      })();

      """
    return script
  }

  /// The module id a relative `require` names (`./a/b` from `x/y` → `x/a/b`), if its file is in the directory.
  static func resolve(_ path: String, from id: String, in directory: String) -> String? {
    var parts = id.split(separator: "/").map(String.init)
    parts.removeLast()
    for part in path.split(separator: "/") {
      if part == ".." {
        guard !parts.isEmpty else { return nil }
        parts.removeLast()
      } else if part != "." {
        parts.append(String(part))
      }
    }
    let candidate = parts.joined(separator: "/")
    for resolved in [candidate, candidate + "/index"]
    where FileManager.default.fileExists(atPath: directory + "/" + resolved + ".js") {
      return resolved
    }
    return nil
  }

  /// A JavaScript string literal of a module id (ids are file names: letters, digits, `/`, `.`, `_`, `-`).
  static func quoted(_ id: String) -> String {
    "\"" + id.filter { $0.isLetter || $0.isNumber || "/._-".contains($0) } + "\""
  }
}
