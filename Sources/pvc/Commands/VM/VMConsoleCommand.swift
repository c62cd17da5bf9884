import ArgumentParser
import Foundation
import PVCKit
import Synchronization

/// `pvc vm console`: the serial console of a running VM in this terminal.
struct VMConsoleCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "console", abstract: "Attach to a running VM's serial console.",
    discussion: """
      Connects this terminal to the VM's serial console, through the API or directly through the node's libvirt \
      (with pvc.conf, whose cluster network names the nodes' addresses). Press Ctrl-] to detach. Opening the console \
      takes it over from any other session; it closes when the VM stops or moves. When standard input is not a \
      terminal, what it holds is typed and the console stays open --linger seconds after it ends.
      """)
  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The VM's name or UUID.") var domain: String
  @Option(help: "Seconds to keep printing after standard input ends (when it is not a terminal).") var linger = 2

  /// Ctrl-]: detach, as telnet and virsh do.
  static let escape: UInt8 = 0x1D

  func run() async throws {
    guard (0...3600).contains(linger) else { throw ValidationError("--linger must be from 0 to 3600") }
    try await withCluster(connection) { cluster in
      let console = try await cluster.vms.openConsole(domain)
      let interactive = isatty(STDIN_FILENO) != 0
      let terminal = interactive ? RawTerminal() : nil
      if interactive {
        FileHandle.standardError.write(Data("Attached to \(console.vm) on \(console.node); Ctrl-] detaches.\r\n".utf8))
      }
      let ended = await withTaskGroup(of: String?.self) { group in
        group.addTask {
          do {
            for try await bytes in console.output { FileHandle.standardOutput.write(Data(bytes)) }
            return nil
          } catch {
            return "\(error)"
          }
        }
        group.addTask {
          for await bytes in StandardInput.chunks() {
            if interactive, let stop = bytes.firstIndex(of: Self.escape) {
              try? await console.send(Array(bytes[..<stop]))
              return nil
            }
            do { try await console.send(bytes) } catch { return "\(error)" }
          }
          // Input ended (a pipe): the guest's answer is printed for a while.
          try? await Task.sleep(for: .seconds(linger))
          return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
      }
      await console.close()
      terminal?.restore()
      if interactive { FileHandle.standardError.write(Data("\nDetached from \(console.vm).\n".utf8)) }
      if let ended { throw CLIError("the console closed: \(ended)", kind: .failed) }
    }
  }
}

/// The terminal in raw mode (keys as typed, no echo) until restored.
final class RawTerminal: Sendable {
  private let saved: Mutex<termios?>

  init() {
    var original = termios()
    guard tcgetattr(STDIN_FILENO, &original) == 0 else {
      saved = Mutex(nil)
      return
    }
    var raw = original
    cfmakeraw(&raw)
    _ = tcsetattr(STDIN_FILENO, TCSANOW, &raw)
    saved = Mutex(original)
  }

  /// Puts the terminal back as it was.
  func restore() {
    guard var original = saved.withLock({ $0 }) else { return }
    _ = tcsetattr(STDIN_FILENO, TCSANOW, &original)
  }
}

/// Standard input in chunks as it arrives (read on a thread of its own: `read` blocks).
enum StandardInput {
  static func chunks() -> AsyncStream<[UInt8]> {
    let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
    let thread = Thread {
      var buffer = [UInt8](repeating: 0, count: 4096)
      while true {
        let count = read(STDIN_FILENO, &buffer, buffer.count)
        if count <= 0 { break }
        continuation.yield(Array(buffer[0..<count]))
      }
      continuation.finish()
    }
    thread.start()
    return stream
  }
}
