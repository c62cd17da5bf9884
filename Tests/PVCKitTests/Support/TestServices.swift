import Foundation
import PVCKit
import PVCKitFixtures
import Synchronization

/// Where the real services started by `make test` (Scripts/test.sh) listen.
enum TestServices {
  /// A standalone ZooKeeper.
  static var standalone: String {
    ProcessInfo.processInfo.environment["PVCKIT_ZK_STANDALONE"] ?? "127.0.0.1:22181"
  }

  /// The test Ceph cluster's configuration (`Scripts/ceph.sh`; client.admin's keyring beside it).
  static var cephConfiguration: String {
    ProcessInfo.processInfo.environment["PVCKIT_CEPH_CONF"] ?? "/tmp/pvckit-test/ceph/ceph.conf"
  }

  /// A 3-server ZooKeeper ensemble.
  static var ensemble: String {
    ProcessInfo.processInfo.environment["PVCKIT_ZK_ENSEMBLE"]
      ?? "127.0.0.1:22182,127.0.0.1:22183,127.0.0.1:22184"
  }

  /// Both kinds of server, for tests that must hold on either.
  static var both: [String] { [standalone, ensemble] }

  /// The repository root (for running the project's scripts).
  static let root: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// Creates an empty chroot for one test and returns a connect string inside it,
  /// so that tests running in parallel never see each other's nodes.
  static func chroot(on hosts: String = standalone, name: String = #function) async throws -> String {
    let admin = try await ZooKeeper.connect(to: hosts, connectTimeout: .seconds(10))
    defer { Task { await admin.close() } }
    let label = name.filter { $0.isLetter || $0.isNumber }.prefix(40)
    let path = "/t-\(label)-\(UUID().uuidString.prefix(8))"
    try await admin.create(path, "")
    return hosts + path
  }

  /// Connects a client inside a fresh chroot.
  static func client(
    on hosts: String = standalone, sessionTimeout: Duration = .seconds(4), name: String = #function
  ) async throws -> (ZooKeeper, String) {
    let connect = try await chroot(on: hosts, name: name)
    return (try await ZooKeeper.connect(to: connect, sessionTimeout: sessionTimeout), connect)
  }

  /// Runs `body` on a thread of its own, off Swift's cooperative pool: for blocking
  /// calls (waiting for a program) whose program talks to a server inside this
  /// test process, which needs the pool's few threads to answer.
  static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
  }

  /// Runs a program and returns its exit status and output (standard output and error).
  static func runTool(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  /// Runs a program with posix_spawn and waitpid, its output (standard output and
  /// error) going to a file: for programs that leave daemons behind, which keep
  /// Foundation's Process from seeing the end of the program itself.
  static func spawn(_ path: String, _ arguments: [String], environment: [String: String], output: String) throws
    -> Int32
  {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv { free(pointer) }
      for pointer in envp { free(pointer) }
    }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, path, &actions, nil, argv, envp)
    guard result == 0 else { throw SimulatedNodes.ScriptFailure(command: path, status: result) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
  }

  /// Runs a project script and returns its standard output.
  @discardableResult
  static func script(_ name: String, _ arguments: String...) throws -> String {
    try SimulatedNodes.script(name, arguments: arguments)
  }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(
  timeout: Duration = .seconds(10), _ condition: @Sendable () async throws -> Bool
) async throws -> Bool {
  let deadline = ContinuousClock.now + timeout
  while ContinuousClock.now < deadline {
    if try await condition() { return true }
    try await Task.sleep(for: .milliseconds(25))
  }
  return try await condition()
}

/// Collects what a stream yields, so a test can wait for a number of values.
final class Collector<Element: Sendable>: Sendable {
  private final class Store: Sendable {
    let values = Mutex<[Element]>([])
    func append(_ value: Element) { values.withLock { $0.append(value) } }
  }
  private let store = Store()
  private let task: Task<Void, Never>

  init(_ stream: AsyncStream<Element>) {
    let store = self.store
    task = Task { for await value in stream { store.append(value) } }
  }

  init(_ stream: AsyncThrowingStream<Element, any Error>) {
    let store = self.store
    task = Task {
      do { for try await value in stream { store.append(value) } } catch {}
    }
  }

  /// Everything collected so far.
  var all: [Element] { store.values.withLock { $0 } }

  /// Waits until at least `count` values arrived (or `timeout` passed) and returns them all.
  func wait(for count: Int, timeout: Duration = .seconds(10)) async throws -> [Element] {
    _ = try await eventually(timeout: timeout) { self.all.count >= count }
    return all
  }

  /// Stops collecting (ends the stream's iteration).
  func stop() { task.cancel() }

  deinit { task.cancel() }
}

/// A value shared between tasks.
final class Shared<Value: Sendable>: Sendable {
  private let storage: Mutex<Value>
  init(_ value: Value) { storage = Mutex(value) }
  var value: Value { storage.withLock { $0 } }
  /// Changes the value and returns the new one.
  @discardableResult
  func update(_ change: (inout Value) -> Void) -> Value {
    storage.withLock {
      change(&$0)
      return $0
    }
  }
}

/// What a command printed and how it ended.
struct CommandResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

extension TestServices {
  /// The directory holding the built executables.
  static var binDirectory: URL {
    if let dir = ProcessInfo.processInfo.environment["PVCKIT_BIN_DIR"] { return URL(fileURLWithPath: dir) }
    return root.appendingPathComponent(".build/debug")
  }

  /// Runs a built executable of this package with `arguments` and extra environment.
  static func run(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil
  ) throws -> CommandResult {
    let process = Process()
    process.executableURL = binDirectory.appendingPathComponent(executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "PVC_ZOOKEEPER")
    env.removeValue(forKey: "PVC_UNSAFE")
    env.removeValue(forKey: "PVC_CONNECTION")
    env["PVC_CONFIG_FILE"] = "/nonexistent/pvc.conf"
    env["PVC_CLIENT_DIR"] = "/nonexistent/pvc-client"
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvckit-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let out = directory.appendingPathComponent("out")
    let err = directory.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    if let stdin {
      let input = directory.appendingPathComponent("in")
      _ = FileManager.default.createFile(atPath: input.path, contents: Data(stdin.utf8))
      process.standardInput = try FileHandle(forReadingFrom: input)
    } else {
      process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    process.waitUntilExit()
    return CommandResult(
      status: process.terminationStatus,
      stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
  }
}
