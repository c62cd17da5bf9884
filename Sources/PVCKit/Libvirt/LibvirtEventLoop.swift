import CLibvirt
import Foundation

/// libvirt's default event loop, run on its own thread; needed for domain
/// events and connection keepalives. Started once per process.
enum LibvirtEventLoop {
  /// Registers the loop, silences libvirt's stderr error printing (errors are
  /// read and thrown as ``LibvirtError`` instead) and starts the thread.
  static let started: Void = {
    virSetErrorFunc(nil) { _, _ in }
    _ = virInitialize()
    _ = virEventRegisterDefaultImpl()
    let thread = Thread {
      while true { _ = virEventRunDefaultImpl() }
    }
    thread.name = "libvirt-events"
    thread.start()
  }()
}

extension LibvirtEventLoop {
  /// Runs `body` once on the event loop's thread after `milliseconds` (0: at its next turn). Work on a
  /// non-blocking stream runs there, so it never races the stream's own event callbacks.
  static func perform(after milliseconds: Int32 = 0, _ body: @escaping @Sendable () -> Void) {
    _ = started
    let box = Unmanaged.passRetained(PendingWork(body)).toOpaque()
    let added = virEventAddTimeout(
      milliseconds,
      { timer, opaque in
        guard let opaque else { return }
        let work = Unmanaged<PendingWork>.fromOpaque(opaque).takeUnretainedValue()
        virEventRemoveTimeout(timer)
        work.runOnce()
      }, box,
      { opaque in
        guard let opaque else { return }
        Unmanaged<PendingWork>.fromOpaque(opaque).release()
      })
    if added < 0 {
      // No timer could be added (out of memory): run here rather than never.
      let work = Unmanaged<PendingWork>.fromOpaque(box).takeRetainedValue()
      work.runOnce()
    }
  }

  /// Work waiting for the event loop; runs at most once.
  private final class PendingWork: @unchecked Sendable {
    private var body: (@Sendable () -> Void)?
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    /// Only the event loop's thread (or the adder, when no timer was added) calls this.
    func runOnce() {
      let run = body
      body = nil
      run?()
    }
  }
}
