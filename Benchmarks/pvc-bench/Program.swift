import Foundation

/// Runs a program to its end and returns its output (standard output and error);
/// fails if it exits with a non-zero status.
func runProgram(_ executable: String, _ arguments: [String]) throws -> String {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  let text = String(decoding: data, as: UTF8.self)
  guard process.terminationStatus == 0 else {
    throw BenchmarkError("\(executable) exited with \(process.terminationStatus):\n\(text.suffix(2000))")
  }
  return text
}
