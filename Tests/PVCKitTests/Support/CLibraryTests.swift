import CCeph
import CLibvirt
import CMariaDB
import CZooKeeper
import Testing

/// The C libraries from Debian link and answer through their shims.
@Suite("C library shims")
struct CLibraryTests {
  @Test("libvirt, librados, librbd, libmariadb and libzookeeper_mt report their versions")
  func versions() {
    var libvirt: UInt = 0
    #expect(virGetVersion(&libvirt, nil, nil) == 0)
    #expect(libvirt >= 9_000_000)

    var major: Int32 = 0
    var minor: Int32 = 0
    var extra: Int32 = 0
    rados_version(&major, &minor, &extra)
    #expect(major >= 3)
    rbd_version(&major, &minor, &extra)
    #expect(major >= 1)

    let mariadb = String(cString: mysql_get_client_info())
    #expect(mariadb.hasPrefix("3.") || mariadb.hasPrefix("10."))

    #expect(ZOO_VERSION.hasPrefix("3."))
  }
}
