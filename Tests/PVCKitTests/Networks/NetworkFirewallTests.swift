import Foundation
import PVCKit
import PVCKitFixtures
import Testing

/// The managed networks' nftables ruleset, rendered from typed rules.
@Suite("Network firewall")
struct NetworkFirewallTests {
  static let managed = NetworkDefinition(
    vni: 100, description: "m", type: .managed, ip4Network: "10.100.0.0/24", ip4Gateway: "10.100.0.1",
    ip6Network: "fd00:100::/64", ip6Gateway: "fd00:100::1"
  ).info
  static let bridged = NetworkDefinition(vni: 200, description: "b", type: .bridged).info
  static let acls = [
    100: [
      NetworkACL(description: "web", direction: "in", order: 2, rule: "tcp dport { 80, 443 } counter accept"),
      NetworkACL(
        description: "ssh", direction: "in", order: 1, rule: "ip saddr 10.0.0.0/8 tcp dport 22 counter accept"),
      NetworkACL(description: "smuggled", direction: "in", order: 3, rule: "accept; flush ruleset"),
      NetworkACL(description: "smtp", direction: "out", order: 1, rule: "tcp dport 25 counter drop"),
    ]
  ]

  @Test("chains per managed network, rules in order, stored text that does not parse left out")
  func rendering() throws {
    let (text, problems) = NetworkFirewall.render([Self.managed, Self.bridged], acls: Self.acls)
    #expect(text.hasPrefix("table inet pvckit\ndelete table inet pvckit\ntable inet pvckit {\n"))
    #expect(text.contains("    ip daddr 10.100.0.0/24 jump vxlan100-in\n    ip saddr 10.100.0.0/24 jump vxlan100-out"))
    #expect(text.contains("ip6 daddr fd00:100::/64 jump vxlan100-in"))
    let inbound = try #require(text.components(separatedBy: "chain vxlan100-in {").last)
    let ssh = try #require(inbound.range(of: "tcp dport 22"))
    let web = try #require(inbound.range(of: "tcp dport { 80, 443 }"))
    #expect(ssh.lowerBound < web.lowerBound)
    #expect(!text.contains("flush") && !text.contains("vxlan200"))
    #expect(problems.count == 1 && problems[0].contains("smuggled"))
  }

  @Test("nft itself accepts the ruleset (checked with nft -c in a namespace of the test's own)")
  func nftAccepts() throws {
    let (text, _) = NetworkFirewall.render([Self.managed, Self.bridged], acls: Self.acls)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("fw-\(UUID().uuidString).nft")
    try text.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let namespace = "pvckit-fw-\(UUID().uuidString.prefix(8))"
    #expect(try TestServices.runTool("/usr/sbin/ip", ["netns", "add", namespace]).status == 0)
    defer { _ = try? TestServices.runTool("/usr/sbin/ip", ["netns", "del", namespace]) }
    let checked = try TestServices.runTool("/usr/sbin/ip", ["netns", "exec", namespace, "nft", "-c", "-f", file.path])
    #expect(checked.status == 0, "\(checked.output)\n\(text)")
  }
}
