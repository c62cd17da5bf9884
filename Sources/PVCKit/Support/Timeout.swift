import Synchronization

/// Runs `body`, giving up on it after `timeout`, even if it ignores cancellation
/// (as a call waiting for an unreachable ZooKeeper may).
/// - Returns: the body's result, or `nil` if it failed or did not finish in time
///   (it is then cancelled and left to end by itself).
func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async -> T? {
  let done = Mutex(false)
  return await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
    let finish: @Sendable (T?) -> Bool = { value in
      guard
        done.withLock({ finished in
          defer { finished = true }
          return !finished
        })
      else { return false }
      continuation.resume(returning: value)
      return true
    }
    let work = Task { _ = finish(try? await body()) }
    Task {
      try? await Task.sleep(for: timeout)
      if finish(nil) { work.cancel() }
    }
  }
}
