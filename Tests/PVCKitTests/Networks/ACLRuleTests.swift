import PVCKit
import Testing

/// The firewall rule subset: parsed into typed matches, rendered by PVCKit, anything else refused.
@Suite("ACL rules")
struct ACLRuleTests {
  @Test(
    "accepted rules render canonically",
    arguments: [
      ("ip saddr 10.0.0.0/8 tcp dport 22 accept", "ip saddr 10.0.0.0/8 tcp dport 22 counter accept"),
      (
        "tcp dport {22,80-90} ct state new,established accept",
        "tcp dport { 22, 80-90 } ct state new,established counter accept"
      ),
      ("ip6 daddr fd00::1 meta l4proto icmpv6 counter drop", "ip6 daddr fd00::1 meta l4proto icmpv6 counter drop"),
      ("ip daddr 10.100.0.5 udp sport 53 reject", "ip daddr 10.100.0.5 udp sport 53 counter reject"),
      ("drop", "counter drop"),
    ])
  func accepted(text: String, rendered: String) throws {
    #expect(try ACLRule(parsing: text).description == rendered)
    // What PVCKit renders parses back to the same rule.
    #expect(try ACLRule(parsing: rendered) == ACLRule(parsing: text))
  }

  @Test(
    "anything outside the subset is refused, naming the token",
    arguments: [
      ("ip saddr 10.0.0.0/8 ; flush ruleset", "';'"),
      ("jump evil", "'jump'"),
      ("tcp dport 70000 accept", "'70000'"),
      ("accept drop", "'drop' after the verdict"),
      ("ip saddr 10.0.0.0/8", "needs a verdict"),
      ("meta mark 1 accept", "only l4proto"),
      ("ip saddr $(rm -rf /) accept", "'$(rm'"),
      ("ip saddr 10.0.0.1/8 accept", "'10.0.0.1/8'"),
      ("ip6 saddr 10.0.0.1 accept", "IPv6"),
      ("ct state bogus accept", "'bogus'"),
      ("tcp dport { } accept", "empty set"),
      ("tcp dport 90-80 accept", "'90-80'"),
      ("ip saddr 10.0.0.0/8\naccept", "one line"),
    ])
  func refused(text: String, named: String) {
    #expect {
      try ACLRule(parsing: text)
    } throws: { error in
      (error as? NetworkError).map { "\($0)".contains(named) && ErrorKind(of: $0) == .invalid } ?? false
    }
  }
}
