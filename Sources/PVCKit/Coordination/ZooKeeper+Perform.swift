import CZooKeeper
import Synchronization

/// How a request may be repeated after a failure.
enum RetryPolicy {
  /// Reads: repeat after connection loss, timeouts and expiry.
  case idempotent
  /// Writes: repeat only when the request never left this client.
  case unsentOnly
}

/// Results of a pipelined batch, filled in by completions on the C thread.
final class BatchState<Value: Sendable>: Sendable {
  struct Slots {
    var values: [Value?]
    var codes: [Int32]
    var remaining: Int
    var continuation: CheckedContinuation<([Value?], [Int32]), Never>?
  }
  let slots: Mutex<Slots>

  init(count: Int) {
    slots = Mutex(
      Slots(values: Array(repeating: nil, count: count), codes: Array(repeating: 0, count: count), remaining: count))
  }

  /// Records the outcome of request `index`; resumes the waiter after the last one.
  func complete(_ index: Int, code: Int32, value: Value?) {
    let finished = slots.withLock { s -> (CheckedContinuation<([Value?], [Int32]), Never>, [Value?], [Int32])? in
      s.values[index] = value
      s.codes[index] = code
      s.remaining -= 1
      guard s.remaining == 0, let c = s.continuation else { return nil }
      s.continuation = nil
      return (c, s.values, s.codes)
    }
    if let (c, values, codes) = finished { c.resume(returning: (values, codes)) }
  }

  /// Waits for every request of the batch.
  func wait() async -> ([Value?], [Int32]) {
    await withCheckedContinuation { c in
      let done = slots.withLock { s -> ([Value?], [Int32])? in
        if s.remaining == 0 { return (s.values, s.codes) }
        s.continuation = c
        return nil
      }
      if let done { c.resume(returning: done) }
    }
  }
}

extension ZooKeeper {
  /// How many times a request is repeated after a retryable failure.
  static let maximumAttempts = 20

  /// Runs one request on the active session with the given retry policy.
  ///
  /// `submit` hands the request to the session and arranges for `done` to be
  /// called exactly once if (and only if) it returns `ZOK`.
  func perform<Value: Sendable>(
    _ operation: String, _ path: String?, retry: RetryPolicy,
    _ submit: (ZooKeeperSession, @escaping @Sendable (Int32, Value?) -> Void) -> Int32
  ) async throws -> Value? {
    var attempt = 0
    while true {
      attempt += 1
      let session = try await activeSession()
      var submitted = Int32(0)
      let (code, value): (Int32, Value?) = await withCheckedContinuation { c in
        submitted = submit(session) { code, value in c.resume(returning: (code, value)) }
        if submitted != ZOK.rawValue { c.resume(returning: (submitted, nil)) }
      }
      // A write that was sent has had its effect (or may have) by now.
      if case .unsentOnly = retry, submitted == ZOK.rawValue { state.withLock { $0.writesFinished &+= 1 } }
      if code == ZOK.rawValue { return value }
      let error = ZooKeeperError(returnCode: code, operation: operation, path: path)
      if submitted != ZOK.rawValue {
        // Never sent: safe to repeat any request once a live session exists.
        guard try noteDeadSession(session, code: code), attempt < Self.maximumAttempts else { throw error }
        continue
      }
      guard case .idempotent = retry, error.code.isRetryableForReads, attempt < Self.maximumAttempts else {
        throw error
      }
      if error.code == .sessionExpired { sessionDied(generation: session.generation) }
      try await Task.sleep(for: .milliseconds(20 * attempt))
    }
  }

  /// Called when a submission failed: tells whether the request can be repeated
  /// on another session, and retires the session if it is dead.
  func noteDeadSession(_ session: ZooKeeperSession, code: Int32) throws -> Bool {
    if state.withLock({ $0.closed }) { throw ZooKeeperError(.closed, operation: "submit", path: hosts) }
    switch code {
    case ZINVALIDSTATE.rawValue, ZSESSIONEXPIRED.rawValue:
      sessionDied(generation: session.generation)
      return true
    case ZCLOSING.rawValue:
      return true
    default:
      return false
    }
  }

  /// Sends one read request per path back to back, then waits for all the replies.
  ///
  /// `submit(session, path, done)` submits one request. Codes listed in
  /// `absent` (such as `ZNONODE`) yield `nil` for that path instead of an error.
  /// The whole batch is repeated after a retryable failure.
  func readBatch<Value: Sendable>(
    _ operation: String, paths: [String], absent: Set<Int32>,
    _ submit: @escaping (ZooKeeperSession, String, @escaping @Sendable (Int32, Value?) -> Void) -> Int32
  ) async throws -> [Value?] {
    try await readBatch(operation, paths: paths, absent: absent) { session, paths in
      let batch = BatchState<Value>(count: paths.count)
      var unsent: Int32 = ZOK.rawValue
      for (index, path) in paths.enumerated() {
        if unsent != ZOK.rawValue {
          batch.complete(index, code: unsent, value: nil)
          continue
        }
        let rc = submit(session, path) { code, value in batch.complete(index, code: code, value: value) }
        if rc != ZOK.rawValue {
          unsent = rc
          batch.complete(index, code: rc, value: nil)
        }
      }
      let (values, codes) = await batch.wait()
      return (values, codes, unsent)
    }
  }

  /// Runs a batch of reads with `run`, repeating it after a retryable failure.
  func readBatch<Value: Sendable>(
    _ operation: String, paths: [String], absent: Set<Int32>,
    run: (ZooKeeperSession, [String]) async -> (values: [Value?], codes: [Int32], unsent: Int32)
  ) async throws -> [Value?] {
    if paths.isEmpty { return [] }
    var attempt = 0
    while true {
      attempt += 1
      let session = try await activeSession()
      let (values, codes, unsent) = await run(session, paths)
      guard let failed = codes.firstIndex(where: { $0 != ZOK.rawValue && !absent.contains($0) }) else {
        return values
      }
      let error = ZooKeeperError(returnCode: codes[failed], operation: operation, path: paths[failed])
      if unsent != ZOK.rawValue, try noteDeadSession(session, code: unsent), attempt < Self.maximumAttempts {
        continue
      }
      guard error.code.isRetryableForReads, attempt < Self.maximumAttempts else { throw error }
      if error.code == .sessionExpired { sessionDied(generation: session.generation) }
      try await Task.sleep(for: .milliseconds(20 * attempt))
    }
  }
}
