import Testing

@testable import PVCKit

/// What the primary's dnsmasq is started with, and its reservation and lease files (pure).
@Suite("dnsmasq plan")
struct DnsmasqPlanTests {
  static let paths = DnsmasqPlan.Paths(directory: "/run/pvc/hv1/dnsmasq/100")
  static let network = NetworkDefinition(
    vni: 100, description: "m", type: .managed, domain: "demo.local", nameServers: ["9.9.9.9", "nonsense"],
    ip4Network: "10.100.0.0/24", ip4Gateway: "10.100.0.1", dhcp4: true, dhcp4Start: "10.100.0.100",
    dhcp4End: "10.100.0.199", ip6Network: "fd00:100::/64", ip6Gateway: "fd00:100::1"
  ).info

  @Test("a managed network with DHCP and IPv6 gets ranges, router, RA, domain and its files")
  func arguments() throws {
    let arguments = try #require(DnsmasqPlan.arguments(for: Self.network, paths: Self.paths))
    for expected in [
      "--interface=vmbr100", "--bind-interfaces", "--listen-address=10.100.0.1", "--listen-address=fd00:100::1",
      "--dhcp-range=10.100.0.100,10.100.0.199,255.255.255.0,48h", "--dhcp-option=option:router,10.100.0.1",
      "--dhcp-option=option:dns-server,9.9.9.9", "--enable-ra", "--dhcp-range=fd00:100::,ra-stateless,64,48h",
      "--domain=demo.local", "--auth-zone=demo.local,10.100.0.0/24,fd00:100::/64",
      "--auth-server=ns1.demo.local,vmbr100", "--dhcp-hostsdir=/run/pvc/hv1/dnsmasq/100/hosts",
      "--dhcp-leasefile=/run/pvc/hv1/dnsmasq/100/leases", "--pid-file=/run/pvc/hv1/dnsmasq/100/dnsmasq.pid",
      "--conf-file=/dev/null",
    ] {
      #expect(arguments.contains(expected), "\(expected)")
    }
    #expect(!arguments.contains { $0.contains("nonsense") })
  }

  @Test("no server for bridged networks or networks without DHCP or IPv6; a bad stored range makes none")
  func noServer() {
    let bridged = NetworkDefinition(vni: 200, description: "b", type: .bridged).info
    #expect(DnsmasqPlan.arguments(for: bridged, paths: Self.paths) == nil)
    let plain = NetworkDefinition(
      vni: 101, description: "p", type: .managed, ip4Network: "10.101.0.0/24", ip4Gateway: "10.101.0.1"
    ).info
    #expect(!DnsmasqPlan.serves(plain))
    var broken = Self.network
    broken.ip4.dhcpStart = "10.200.0.5"
    broken.ip6 = .init(network: "", gateway: "", dhcpFlag: false)
    #expect(DnsmasqPlan.arguments(for: broken, paths: Self.paths) == nil)
    var onlyIPv6 = Self.network
    onlyIPv6.ip4 = .init(network: "", gateway: "", dhcpFlag: false, dhcpStart: "", dhcpEnd: "")
    onlyIPv6.ip6.dhcpFlag = false
    let arguments = DnsmasqPlan.arguments(for: onlyIPv6, paths: Self.paths) ?? []
    #expect(arguments.contains("--dhcp-range=fd00:100::,ra-only,64,48h"))
    #expect(!arguments.contains { $0.hasPrefix("--dhcp-range=10.") })
  }

  @Test("netmasks of prefix lengths")
  func netmasks() {
    #expect(DnsmasqPlan.netmask(24) == "255.255.255.0")
    #expect(DnsmasqPlan.netmask(20) == "255.255.240.0")
    #expect(DnsmasqPlan.netmask(0) == "0.0.0.0")
    #expect(DnsmasqPlan.netmask(40) == "255.255.255.255")
  }

  @Test("reservation files: one per MAC; a reservation that does not check out is left out and named")
  func hostFiles() {
    let (files, problems) = DnsmasqPlan.hostFiles(
      [
        NetworkLease(hostname: "web", ip4Address: "10.100.0.10", macAddress: "52:54:00:AA:BB:CC", isStatic: true),
        NetworkLease(hostname: "x\ny", ip4Address: "10.100.0.11", macAddress: "52:54:00:aa:bb:cd", isStatic: true),
        NetworkLease(hostname: "out", ip4Address: "10.9.0.11", macAddress: "52:54:00:aa:bb:ce", isStatic: true),
      ], network: Self.network)
    #expect(files == ["525400aabbcc": "52:54:00:aa:bb:cc,10.100.0.10,web\n"])
    #expect(problems.count == 2)
  }

  @Test("lease files are read and written; IPv6 and broken lines are skipped")
  func leases() {
    let text = """
      1764560000 52:54:00:12:34:56 10.100.0.123 guest1 01:52:54:00:12:34:56
      1764560001 52:54:00:12:34:57 10.100.0.124 * *
      duid 00:01:00:01:2c:4f:11:22:33:44:55:66
      1764560002 1234 fd00:100::5 guest6 00:01
      garbage line
      1764560003 zz:54:00:12:34:57 10.100.0.125 bad *
      """
    let leases = DnsmasqPlan.Lease.parse(text)
    #expect(leases.map(\.ip) == ["10.100.0.123", "10.100.0.124"])
    #expect(leases[0].hostname == "guest1" && leases[0].clientID == "01:52:54:00:12:34:56")
    #expect(leases[1].hostname.isEmpty && leases[1].clientID.isEmpty)
    #expect(DnsmasqPlan.Lease.parse(DnsmasqPlan.Lease.render(leases)) == leases)
  }
}
