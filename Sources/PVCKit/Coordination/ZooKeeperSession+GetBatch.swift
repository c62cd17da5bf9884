import CZooKeeper
import Synchronization

/// A pipelined batch of gets: the hot path of every listing.
///
/// All request contexts live in one allocation, the completions (which all run
/// on the C library's one completion thread) write their results into distinct
/// slots, and an atomic countdown resumes the waiter after the last one: no
/// allocation or lock per request beyond the copy of the data itself.
final class GetBatch: @unchecked Sendable {
  struct Slot {
    var batch: Unmanaged<GetBatch>
    var index: Int
  }

  let count: Int
  let values: UnsafeMutablePointer<ZNodeData?>
  let codes: UnsafeMutablePointer<Int32>
  let slots: UnsafeMutablePointer<Slot>
  let remaining: Atomic<Int>
  var continuation: CheckedContinuation<Void, Never>?

  init(count: Int) {
    self.count = count
    values = .allocate(capacity: count)
    values.initialize(repeating: nil, count: count)
    codes = .allocate(capacity: count)
    codes.initialize(repeating: 0, count: count)
    slots = .allocate(capacity: count)
    remaining = Atomic(count)
  }

  deinit {
    values.deinitialize(count: count)
    values.deallocate()
    codes.deallocate()
    slots.deallocate()
  }

  /// Records that one request finished; the last one resumes the waiter.
  func finishOne() {
    if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { continuation!.resume() }
  }
}

private let batchGetCompletion: data_completion_t = { rc, value, length, stat, ctx in
  let slot = ctx!.assumingMemoryBound(to: GetBatch.Slot.self).pointee
  let batch = slot.batch.takeUnretainedValue()
  if rc == ZOK.rawValue, let stat {
    let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(max(length, 0)))) } ?? []
    batch.values[slot.index] = ZNodeData(bytes: bytes, stat: ZNodeStat(stat.pointee))
  }
  batch.codes[slot.index] = rc
  batch.finishOne()
}

extension ZooKeeperSession {
  /// Gets every path, all requests sent before any reply is awaited.
  /// - Returns: the data (nil where a request failed), each request's return
  ///   code, and the code of the first submission refused (`ZOK` if none was).
  func getBatch(_ paths: [String], watch: Bool = false) async -> (values: [ZNodeData?], codes: [Int32], unsent: Int32) {
    let batch = GetBatch(count: paths.count)
    let retained = Unmanaged.passRetained(batch)
    defer { retained.release() }
    var unsent = ZOK.rawValue
    await withCheckedContinuation { continuation in
      batch.continuation = continuation
      unsent = submit { zh in
        for (index, path) in paths.enumerated() {
          (batch.slots + index).initialize(to: GetBatch.Slot(batch: retained, index: index))
          let rc = zoo_aget(zh, path, watch ? 1 : 0, batchGetCompletion, batch.slots + index)
          if rc != ZOK.rawValue {
            // Nothing more can be sent on this handle: count the rest as refused.
            for rest in index..<paths.count {
              batch.codes[rest] = rc
              batch.finishOne()
            }
            return rc
          }
        }
        return ZOK.rawValue
      }
      if unsent == ZCLOSING.rawValue && batch.remaining.load(ordering: .acquiring) == paths.count {
        // The handle was closed before the first request.
        for index in 0..<paths.count {
          batch.codes[index] = unsent
          batch.finishOne()
        }
      }
    }
    return (
      Array(UnsafeBufferPointer(start: batch.values, count: paths.count)),
      Array(UnsafeBufferPointer(start: batch.codes, count: paths.count)), unsent
    )
  }
}
