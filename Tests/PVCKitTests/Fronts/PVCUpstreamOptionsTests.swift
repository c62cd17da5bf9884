import Foundation
import PVCKit
import Testing

/// Upstream's option spellings are part of its interface: scripts use them.
/// Every option and flag of upstream's tree (Fixtures/upstream-cli-options.txt)
/// must be accepted by each command PVCKit has.
@Suite("pvc accepts upstream's options")
struct PVCUpstreamOptionsTests {
  /// Upstream's commands and their option spellings.
  static func upstream() throws -> [(command: String, options: [String])] {
    let file = TestServices.root.appendingPathComponent("Tests/PVCKitTests/Fixtures/upstream-cli-options.txt")
    return try String(contentsOf: file, encoding: .utf8).split(separator: "\n").compactMap { line in
      guard !line.hasPrefix("#"), let colon = line.firstIndex(of: ":") else { return nil }
      let options = line[line.index(after: colon)...].split(separator: " ").map(String.init)
      return (String(line[..<colon]), options)
    }
  }

  /// PVCKit's commands and the spellings each accepts (from ArgumentParser's description of the tree).
  static func ours() throws -> [String: Set<String>] {
    let dump = try TestServices.run("pvc", ["--experimental-dump-help"])
    struct Name: Decodable {
      var kind: String
      var name: String
    }
    struct Argument: Decodable { var names: [Name]? }
    struct Command: Decodable {
      var commandName: String
      var arguments: [Argument]?
      var subcommands: [Command]?
    }
    struct Dump: Decodable { var command: Command }
    var result: [String: Set<String>] = [:]
    func walk(_ command: Command, _ path: [String]) {
      result[path.joined(separator: " ")] = Set(
        (command.arguments ?? []).flatMap { $0.names ?? [] }.map { ($0.kind == "long" ? "--" : "-") + $0.name })
      for sub in command.subcommands ?? [] { walk(sub, path + [sub.commandName]) }
    }
    walk(try JSONDecoder().decode(Dump.self, from: Data(dump.stdout.utf8)).command, [])
    return result
  }

  @Test("every option and flag of upstream's commands that PVCKit has is accepted, with the same spelling")
  func spellings() throws {
    let ours = try Self.ours()
    var checked = 0
    for (command, options) in try Self.upstream() where command != "(root)" {
      guard let accepted = ours[command] else { continue }
      let missing = options.filter { !accepted.contains($0) }
      #expect(missing.isEmpty, "pvc \(command) lacks \(missing)")
      checked += options.count
    }
    #expect(checked > 150)
  }

  @Test("upstream's global options come before the command: -c, -v, -q, -s, -u, --colour")
  func globalOptions() throws {
    let root = try Self.upstream().first { $0.command == "(root)" }?.options ?? []
    let withValue: Set<String> = ["-c", "--connection"]
    for option in root where option != "--version" {
      let arguments = withValue.contains(option) ? [option, "nowhere", "vm", "list"] : [option, "--version"]
      let result = try TestServices.run("pvc", arguments)
      let understood = withValue.contains(option) ? result.stderr.contains("no connection named") : result.status == 0
      #expect(understood, "pvc \(option): \(result.status) \(result.stderr)")
    }
  }
}
