import Testing

@testable import PVCKit

/// The checks every DNS name and record passes (pure).
@Suite("DNS rules")
struct DNSRulesTests {
  @Test("names: relative, apex and full forms; lower case; the zone's own inside")
  func names() throws {
    #expect(try DNSRules.recordName("www", in: "example.org") == "www.example.org")
    #expect(try DNSRules.recordName("@", in: "example.org") == "example.org")
    #expect(try DNSRules.recordName("", in: "example.org") == "example.org")
    #expect(try DNSRules.recordName("WWW.Example.org.", in: "example.org") == "www.example.org")
    #expect(try DNSRules.recordName("_sip._udp", in: "example.org") == "_sip._udp.example.org")
    #expect(try DNSRules.recordName("*.apps", in: "example.org") == "*.apps.example.org")
    #expect(try DNSRules.zone("Example.ORG.") == "example.org")
    #expect(try DNSRules.zone("0.100.10.in-addr.arpa") == "0.100.10.in-addr.arpa")
  }

  @Test(
    "hostile names are refused",
    arguments: [
      "a'; DROP TABLE records; --", "x\"y", "a b", "a\nb", "-lead", "trail-", "a..b", String(repeating: "a", count: 64),
      String(repeating: "abcdefghi.", count: 26), "caf\u{e9}", "a/b", "a\\b", "a;b", "a%b", "a.*.b", "**.x",
    ])
  func hostileNames(_ name: String) {
    #expect(throws: DNSError.self) { try DNSRules.recordName(name, in: "example.org") }
  }

  @Test("zones need two labels and no wildcard or underscore")
  func zones() {
    for bad in ["org", "", ".", "*.example.org", "_x.example.org", "a..org", "ex ample.org"] {
      #expect(throws: DNSError.self, "\(bad)") { try DNSRules.zone(bad) }
    }
  }

  @Test("contents are checked per type and put in PowerDNS's form")
  func contents() throws {
    #expect(try DNSRules.content("10.0.0.1", type: .a) == "10.0.0.1")
    #expect(try DNSRules.content("FD00:0::1", type: .aaaa) == "fd00::1")
    #expect(try DNSRules.content("Mail.Example.org.", type: .mx) == "mail.example.org")
    #expect(try DNSRules.content("5  5060 sip.example.org", type: .srv) == "5 5060 sip.example.org")
    #expect(try DNSRules.content("v=spf1 -all", type: .txt) == "\"v=spf1 -all\"")
    #expect(try DNSRules.content(#"say "hi" \ bye"#, type: .txt) == #""say \"hi\" \\ bye""#)
    let long = String(repeating: "x", count: 300)
    #expect(try DNSRules.content(long, type: .txt).split(separator: " ").count == 2)
    let bad: [(String, DNSRecordType)] = [
      ("10.0.0.256", .a), ("010.0.0.1", .a), ("10.0.0", .a), ("fd00::1", .a), ("10.0.0.1", .aaaa), ("::g", .aaaa),
      ("a b", .cname), ("x'; DELETE FROM records; --", .cname), ("1 2", .srv), ("70000 1 a.org", .srv),
      ("1 2 bad_target!", .srv), ("", .txt), ("bell\u{7}", .txt), ("caf\u{e9}", .txt),
      (String(repeating: "a", count: 4001), .txt), ("x", .soa),
    ]
    for (content, type) in bad {
      #expect(throws: DNSError.self, "\(type) \(content.prefix(20))") { try DNSRules.content(content, type: type) }
    }
  }

  @Test("a CNAME at the apex, a TTL or priority out of range, and SOA records are refused")
  func records() throws {
    #expect(throws: DNSError.self) {
      try DNSRules.record(.init(name: "@", type: .cname, content: "other.org"), in: "example.org")
    }
    #expect(throws: DNSError.self) {
      try DNSRules.record(.init(name: "a", type: .a, content: "10.0.0.1", ttl: -1), in: "example.org")
    }
    #expect(throws: DNSError.self) {
      try DNSRules.record(.init(name: "a", type: .a, content: "10.0.0.1", ttl: 700_000), in: "example.org")
    }
    #expect(throws: DNSError.self) {
      try DNSRules.record(.init(name: "a", type: .a, content: "10.0.0.1", priority: 5), in: "example.org")
    }
    #expect(throws: DNSError.self) {
      try DNSRules.record(.init(name: "@", type: .soa, content: "x"), in: "example.org")
    }
    let mx = try DNSRules.record(.init(name: "@", type: .mx, content: "mail.example.org"), in: "example.org")
    #expect(mx.priority == 10 && mx.ttl == DNSRules.defaultTTL && mx.name == "example.org")
  }

  @Test("a CNAME is alone at its name; duplicates are refused")
  func neighbours() throws {
    let a = try DNSRules.record(.init(name: "www", type: .a, content: "10.0.0.1"), in: "example.org")
    let cname = try DNSRules.record(.init(name: "www", type: .cname, content: "web.example.org"), in: "example.org")
    #expect(throws: DNSError.self) { try DNSRules.check(cname, among: [a]) }
    #expect(throws: DNSError.self) { try DNSRules.check(a, among: [cname]) }
    var existing = a
    existing.id = 7
    #expect(throws: DNSError.self) { try DNSRules.check(a, among: [existing]) }
    // A record's own row does not clash with its change.
    var changed = a
    changed.id = 7
    try DNSRules.check(changed, among: [existing])
  }

  @Test("reverse zones follow the enclosing octet boundary")
  func reverse() {
    #expect(DNSRules.reverseZone(for: IPNetwork("10.100.0.0/24")!) == "0.100.10.in-addr.arpa")
    #expect(DNSRules.reverseZone(for: IPNetwork("10.100.0.0/20")!) == "100.10.in-addr.arpa")
    #expect(DNSRules.reverseZone(for: IPNetwork("10.0.0.0/8")!) == "10.in-addr.arpa")
    #expect(DNSRules.reverseZone(for: IPNetwork("0.0.0.0/0")!) == nil)
    #expect(DNSRules.reverseZone(for: IPNetwork("fd00::/64")!) == nil)
    #expect(DNSRules.reverseName(of: IPAddress("10.100.0.5")!) == "5.0.100.10.in-addr.arpa")
  }

  @Test("the aggregator's plan: leases, reservations and VM names; bad labels left out and named")
  func aggregatorPlan() {
    let network = NetworkInfo(
      vni: 100, description: "n", type: .managed, domain: "net100.test",
      ip4: .init(network: "10.100.0.0/24", gateway: "10.100.0.1", dhcpFlag: true, dhcpStart: "", dhcpEnd: ""))
    let leases = [
      NetworkLease(hostname: "guest1", ip4Address: "10.100.0.10", macAddress: "52:54:00:00:00:01", isStatic: false),
      NetworkLease(hostname: "fixed", ip4Address: "10.100.0.5", macAddress: "52:54:00:00:00:02", isStatic: true),
      NetworkLease(hostname: "bad name'", ip4Address: "10.100.0.11", macAddress: "52:54:00:00:00:03", isStatic: false),
      NetworkLease(hostname: "outside", ip4Address: "10.200.0.11", macAddress: "52:54:00:00:00:04", isStatic: false),
    ]
    let plan = DNSAggregatorPlan([.init(network: network, leases: leases, vmsByMAC: ["52:54:00:00:00:01": "web1"])])
    let forward = plan.zones["net100.test"]?.records.map { "\($0.name) \($0.content)" } ?? []
    #expect(
      forward == ["fixed.net100.test 10.100.0.5", "guest1.net100.test 10.100.0.10", "web1.net100.test 10.100.0.10"])
    let reverse = plan.zones["0.100.10.in-addr.arpa"]?.records.map { "\($0.name) \($0.type.rawValue) \($0.content)" }
    #expect(
      reverse == ["10.0.100.10.in-addr.arpa PTR guest1.net100.test", "5.0.100.10.in-addr.arpa PTR fixed.net100.test"])
    #expect(plan.problems.count == 2)
    #expect(plan.zones.values.allSatisfy { $0.network == 100 })
    // A network without a domain, or not managed, gives no zone.
    var bridged = network
    bridged.type = .bridged
    #expect(DNSAggregatorPlan([.init(network: bridged, leases: leases, vmsByMAC: [:])]).zones.isEmpty)
  }

  @Test("PowerDNS's configuration refuses values its format cannot hold")
  func powerDNSConfiguration() throws {
    let good = PowerDNSServer.Settings(
      member: "10.0.0.1:3306", database: "pvcdns", user: "pvc", password: "secret", addresses: ["10.0.0.250"],
      port: 53, transferNetworks: ["10.0.0.0/24"])
    let text = try PowerDNSServer.configuration(good, directory: "/run/pvc/pdns")
    #expect(text.contains("launch=gmysql\n") && text.contains("cache-ttl=0\n") && text.contains("gmysql-port=3306\n"))
    for change: (inout PowerDNSServer.Settings) -> Void in [
      { $0.password = "a#b" }, { $0.password = "a b" }, { $0.password = "a\nlaunch=bind" }, { $0.member = "x" },
      { $0.addresses = ["not an address"] }, { $0.transferNetworks = ["10.0.0.1/24"] }, { $0.user = "" },
    ] {
      var bad = good
      change(&bad)
      #expect(throws: DNSError.self) { try PowerDNSServer.configuration(bad, directory: "/run/pvc/pdns") }
    }
  }
}
