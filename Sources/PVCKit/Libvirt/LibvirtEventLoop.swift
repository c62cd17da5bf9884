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
