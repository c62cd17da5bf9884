import Foundation

/// Opens text in the user's editor (`VISUAL`, `EDITOR`, else `vi`) and returns
/// what was saved, or `nil` if nothing changed. The editor runs without a shell:
/// its command is split on spaces (`code --wait` works).
func editInEditor(_ text: String, name: String, extension suffix: String = "xml") throws -> String? {
  let environment = ProcessInfo.processInfo.environment
  let command = (environment["VISUAL"] ?? environment["EDITOR"] ?? "vi").split(separator: " ").map(String.init)
  guard let program = command.first else { throw CLIError("no editor: set EDITOR") }
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvc-edit-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: directory) }
  let safeName = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
  let file = directory.appendingPathComponent("\(safeName).\(suffix)")
  try text.write(to: file, atomically: true, encoding: .utf8)
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = [program] + command.dropFirst() + [file.path]
  try process.run()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else {
    throw CLIError(
      "the editor (\(command.joined(separator: " "))) exited with \(process.terminationStatus); nothing changed")
  }
  let edited = try String(contentsOf: file, encoding: .utf8)
  return edited == text ? nil : edited
}

/// A starting point for a new VM's XML, for `pvc vm define --editor`.
let newDomainTemplate = """
  <domain type="kvm">
    <name>NAME</name>
    <uuid>\(UUID().uuidString.lowercased())</uuid>
    <memory unit="MiB">1024</memory>
    <vcpu>1</vcpu>
    <os><type arch="x86_64" machine="pc">hvm</type><boot dev="hd"/></os>
    <devices>
      <serial type="pty"><target port="0"/></serial>
      <console type="pty"><target type="serial" port="0"/></console>
    </devices>
  </domain>

  """
