import CZooKeeper

/// A Swift closure carried through a C completion's context pointer.
///
/// The box is retained when a request is submitted and released by the single
/// completion call (or at once if submission fails, because then no completion runs).
private final class Callback<Args>: @unchecked Sendable {
  let fn: @Sendable (Args) -> Void
  init(_ fn: @escaping @Sendable (Args) -> Void) { self.fn = fn }

  func retainedPointer() -> UnsafeMutableRawPointer { Unmanaged.passRetained(self).toOpaque() }

  static func take(_ ctx: UnsafeRawPointer?) -> Callback<Args> {
    Unmanaged<Callback<Args>>.fromOpaque(ctx!).takeRetainedValue()
  }

  static func release(_ ctx: UnsafeMutableRawPointer) {
    Unmanaged<Callback<Args>>.fromOpaque(ctx).release()
  }
}

/// Raw outcome of one step of a multi transaction.
struct MultiStepOutcome: Sendable {
  var returnCode: Int32
  var createdPath: String?
  var stat: ZNodeStat?
}

/// Memory a `zoo_amulti` call writes into at completion; freed when it completes.
private final class MultiBuffers: @unchecked Sendable {
  let count: Int
  let ops: UnsafeMutablePointer<zoo_op_t>
  let results: UnsafeMutablePointer<zoo_op_result_t>
  let stats: UnsafeMutablePointer<Stat>
  let pathBuffers: UnsafeMutablePointer<CChar>
  var strings: [UnsafeMutablePointer<CChar>] = []
  static let pathBufferLength = 1024

  init(count: Int) {
    self.count = count
    ops = .allocate(capacity: count)
    results = .allocate(capacity: count)
    results.initialize(repeating: zoo_op_result_t(), count: count)
    stats = .allocate(capacity: count)
    stats.initialize(repeating: Stat(), count: count)
    pathBuffers = .allocate(capacity: count * Self.pathBufferLength)
    pathBuffers.initialize(repeating: 0, count: count * Self.pathBufferLength)
  }

  func cString(_ s: String) -> UnsafeMutablePointer<CChar> {
    copy(Array(s.utf8CString))
  }

  func bytes(_ b: [UInt8]) -> UnsafeMutablePointer<CChar> {
    copy(b.map { CChar(bitPattern: $0) })
  }

  private func copy(_ chars: [CChar]) -> UnsafeMutablePointer<CChar> {
    let p = UnsafeMutablePointer<CChar>.allocate(capacity: max(chars.count, 1))
    p.initialize(from: chars, count: chars.count)
    strings.append(p)
    return p
  }

  deinit {
    ops.deallocate()
    results.deallocate()
    stats.deallocate()
    pathBuffers.deallocate()
    for s in strings { s.deallocate() }
  }
}

private let dataCompletion: data_completion_t = { rc, value, length, stat, ctx in
  let cb = Callback<(Int32, ZNodeData?)>.take(ctx)
  guard rc == ZOK.rawValue, let stat else { return cb.fn((rc, nil)) }
  var bytes: [UInt8] = []
  if let value, length > 0 {
    bytes = Array(UnsafeRawBufferPointer(start: value, count: Int(length)))
  }
  cb.fn((rc, ZNodeData(bytes: bytes, stat: ZNodeStat(stat.pointee))))
}

private let statCompletion: stat_completion_t = { rc, stat, ctx in
  let cb = Callback<(Int32, ZNodeStat?)>.take(ctx)
  cb.fn((rc, stat.map { ZNodeStat($0.pointee) }))
}

private let childrenCompletion: strings_stat_completion_t = { rc, strings, stat, ctx in
  let cb = Callback<(Int32, ZNodeChildren?)>.take(ctx)
  guard rc == ZOK.rawValue, let stat else { return cb.fn((rc, nil)) }
  var names: [String] = []
  if let strings, let data = strings.pointee.data {
    names.reserveCapacity(Int(strings.pointee.count))
    for i in 0..<Int(strings.pointee.count) { names.append(String(cString: data[i]!)) }
  }
  cb.fn((rc, ZNodeChildren(names: names, stat: ZNodeStat(stat.pointee))))
}

private let stringCompletion: string_completion_t = { rc, value, ctx in
  let cb = Callback<(Int32, String?)>.take(ctx)
  cb.fn((rc, value.map { String(cString: $0) }))
}

private let voidCompletion: void_completion_t = { rc, ctx in
  let cb = Callback<Int32>.take(ctx)
  cb.fn(rc)
}

extension ZooKeeperSession {
  /// Submits a get; `done` runs on the completion thread with the return code and data.
  /// Returns the submission's return code; when it is not `ZOK`, `done` never runs.
  func get(_ path: String, watch: Bool, _ done: @escaping @Sendable (Int32, ZNodeData?) -> Void) -> Int32 {
    let ctx = Callback(done).retainedPointer()
    let rc = submit { zoo_aget($0, path, watch ? 1 : 0, dataCompletion, ctx) }
    if rc != ZOK.rawValue { Callback<(Int32, ZNodeData?)>.release(ctx) }
    return rc
  }

  /// Submits an exists check, optionally leaving a watch (set even if the node is absent).
  func exists(_ path: String, watch: Bool, _ done: @escaping @Sendable (Int32, ZNodeStat?) -> Void) -> Int32 {
    let ctx = Callback(done).retainedPointer()
    let rc = submit { zoo_aexists($0, path, watch ? 1 : 0, statCompletion, ctx) }
    if rc != ZOK.rawValue { Callback<(Int32, ZNodeStat?)>.release(ctx) }
    return rc
  }

  /// Submits a children listing.
  func children(
    _ path: String, watch: Bool, _ done: @escaping @Sendable (Int32, ZNodeChildren?) -> Void
  ) -> Int32 {
    let ctx = Callback(done).retainedPointer()
    let rc = submit { zoo_aget_children2($0, path, watch ? 1 : 0, childrenCompletion, ctx) }
    if rc != ZOK.rawValue { Callback<(Int32, ZNodeChildren?)>.release(ctx) }
    return rc
  }

  /// Submits a create; `done` receives the created path (with any sequence suffix).
  func create(
    _ path: String, data: [UInt8], flags: Int32, _ done: @escaping @Sendable (Int32, String?) -> Void
  ) -> Int32 {
    let ctx = Callback(done).retainedPointer()
    let rc = data.withUnsafeBufferPointer { buf in
      submit { zh in
        buf.withMemoryRebound(to: CChar.self) { chars in
          zoo_acreate(
            zh, path, chars.baseAddress, Int32(buf.count), creationACL, flags,
            stringCompletion, ctx)
        }
      }
    }
    if rc != ZOK.rawValue { Callback<(Int32, String?)>.release(ctx) }
    return rc
  }

  /// Submits a set of a node's data at `version` (-1 for any).
  func set(
    _ path: String, data: [UInt8], version: Int32, _ done: @escaping @Sendable (Int32, ZNodeStat?) -> Void
  ) -> Int32 {
    let ctx = Callback(done).retainedPointer()
    let rc = data.withUnsafeBufferPointer { buf in
      submit { zh in
        buf.withMemoryRebound(to: CChar.self) { chars in
          zoo_aset(zh, path, chars.baseAddress, Int32(buf.count), version, statCompletion, ctx)
        }
      }
    }
    if rc != ZOK.rawValue { Callback<(Int32, ZNodeStat?)>.release(ctx) }
    return rc
  }

  /// Submits a change of a node's ACL to the members' ACL (see ``creationACL``).
  func protect(_ path: String, _ done: @escaping @Sendable (Int32) -> Void) -> Int32 {
    let ctx = Callback(done).retainedPointer()
    let rc = submit { zoo_aset_acl($0, path, -1, pvc_zoo_member_acl(), voidCompletion, ctx) }
    if rc != ZOK.rawValue { Callback<Int32>.release(ctx) }
    return rc
  }

  /// Submits a delete at `version` (-1 for any).
  func delete(_ path: String, version: Int32, _ done: @escaping @Sendable (Int32) -> Void) -> Int32 {
    let ctx = Callback(done).retainedPointer()
    let rc = submit { zoo_adelete($0, path, version, voidCompletion, ctx) }
    if rc != ZOK.rawValue { Callback<Int32>.release(ctx) }
    return rc
  }

  /// Submits an atomic transaction; `done` receives the overall return code and each step's outcome.
  func multi(
    _ operations: [ZooKeeperOperation], _ done: @escaping @Sendable (Int32, [MultiStepOutcome]) -> Void
  ) -> Int32 {
    let buffers = MultiBuffers(count: operations.count)
    for (i, op) in operations.enumerated() {
      let target = buffers.ops + i
      switch op {
      case .create(let path, let data, let mode):
        zoo_create_op_init(
          target, buffers.cString(path), buffers.bytes(data), Int32(data.count), creationACL,
          mode.flags, buffers.pathBuffers + i * MultiBuffers.pathBufferLength,
          Int32(MultiBuffers.pathBufferLength))
      case .setData(let path, let data, let version):
        zoo_set_op_init(
          target, buffers.cString(path), buffers.bytes(data), Int32(data.count), version ?? -1, buffers.stats + i)
      case .delete(let path, let version):
        zoo_delete_op_init(target, buffers.cString(path), version ?? -1)
      case .check(let path, let version):
        zoo_check_op_init(target, buffers.cString(path), version)
      }
    }
    let kinds = operations
    let ctx = Callback<Int32> { rc in
      var outcomes: [MultiStepOutcome] = []
      outcomes.reserveCapacity(buffers.count)
      for i in 0..<buffers.count {
        let result = buffers.results[i]
        var outcome = MultiStepOutcome(returnCode: result.err)
        if result.err == ZOK.rawValue {
          switch kinds[i] {
          case .create: outcome.createdPath = String(cString: buffers.pathBuffers + i * MultiBuffers.pathBufferLength)
          case .setData: outcome.stat = ZNodeStat(buffers.stats[i])
          default: break
          }
        }
        outcomes.append(outcome)
      }
      done(rc, outcomes)
    }.retainedPointer()
    let rc = submit { zoo_amulti($0, Int32(operations.count), buffers.ops, buffers.results, voidCompletion, ctx) }
    if rc != ZOK.rawValue { Callback<Int32>.release(ctx) }
    return rc
  }
}
