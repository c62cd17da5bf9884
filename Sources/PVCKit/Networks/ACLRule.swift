/// A firewall rule of a managed network, in the subset of nftables' rule
/// language PVCKit accepts (Documentation/Compatibility.md lists it): parsed
/// into typed matches and a verdict, and rendered by PVCKit, so that no text
/// from a user reaches `nft` as it was given.
///
/// ```
/// ip saddr 10.0.0.0/8 tcp dport { 22, 443 } ct state new accept
/// ```
public struct ACLRule: Sendable, Hashable, CustomStringConvertible {
  /// One condition.
  public enum Match: Sendable, Hashable {
    /// `ip saddr|daddr ADDRESS[/PREFIX]`, `ip6 ...`.
    case address(source: Bool, network: IPNetwork)
    /// `meta l4proto tcp|udp|icmp|icmpv6`.
    case l4proto(String)
    /// `tcp|udp sport|dport PORT`, `PORT-PORT` or `{ PORT, PORT-PORT, ... }`.
    case port(protocol: String, source: Bool, ranges: [ClosedRange<Int>])
    /// `ct state new|established|related|invalid[,...]`.
    case ctState([String])
  }

  /// What happens to a packet that matches.
  public enum Verdict: String, Sendable, Hashable, CaseIterable {
    case accept, drop, reject
  }

  public var matches: [Match]
  public var verdict: Verdict

  static let protocols = ["tcp", "udp", "icmp", "icmpv6"]
  static let states = ["new", "established", "related", "invalid"]

  /// Parses a rule; anything outside the subset is refused, naming the token.
  public init(parsing text: String) throws(NetworkError) {
    guard text.utf8.count <= 1024, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    else { throw .invalid("a rule is one line of at most 1024 bytes") }
    // Braces and commas are tokens of their own.
    var spaced = ""
    for character in text {
      if character == "{" || character == "}" || character == "," {
        spaced += " \(character) "
      } else {
        spaced.append(character)
      }
    }
    var tokens = spaced.split(separator: " ").map(String.init)[...]
    var matches: [Match] = []
    var verdict: Verdict?
    func next(_ what: String) throws(NetworkError) -> String {
      guard let token = tokens.popFirst() else { throw .invalid("the rule ends where \(what) was expected") }
      return token
    }
    while let token = tokens.popFirst() {
      guard verdict == nil else { throw .invalid("'\(NetworkRules.shown(token))' after the verdict") }
      switch token {
      case "ip", "ip6":
        let field = try next("saddr or daddr")
        guard field == "saddr" || field == "daddr" else {
          throw .invalid("'\(NetworkRules.shown(field))' after \(token): expected saddr or daddr")
        }
        let value = try next("an address")
        let withPrefix = value.contains("/") ? value : value + (token == "ip" ? "/32" : "/128")
        guard let network = IPNetwork(withPrefix), network.isV4 == (token == "ip") else {
          throw .invalid(
            "'\(NetworkRules.shown(value))' is not an \(token == "ip" ? "IPv4" : "IPv6") address or network")
        }
        matches.append(.address(source: field == "saddr", network: network))
      case "meta":
        guard try next("l4proto") == "l4proto" else { throw .invalid("after meta only l4proto is accepted") }
        let proto = try next("a protocol")
        guard Self.protocols.contains(proto) else {
          throw .invalid("'\(NetworkRules.shown(proto))' is not one of \(Self.protocols.joined(separator: ", "))")
        }
        matches.append(.l4proto(proto))
      case "tcp", "udp":
        let field = try next("sport or dport")
        guard field == "sport" || field == "dport" else {
          throw .invalid("'\(NetworkRules.shown(field))' after \(token): expected sport or dport")
        }
        var ranges: [ClosedRange<Int>] = []
        if tokens.first == "{" {
          tokens.removeFirst()
          while true {
            let item = try next("a port or }")
            if item == "}" { break }
            if item == "," { continue }
            ranges.append(try Self.portRange(item))
          }
          guard !ranges.isEmpty else { throw .invalid("an empty set of ports") }
        } else {
          ranges.append(try Self.portRange(try next("a port")))
        }
        matches.append(.port(protocol: token, source: field == "sport", ranges: ranges))
      case "ct":
        guard try next("state") == "state" else { throw .invalid("after ct only state is accepted") }
        var states: [String] = []
        repeat {
          let state = try next("a connection state")
          guard Self.states.contains(state) else {
            throw .invalid("'\(NetworkRules.shown(state))' is not one of \(Self.states.joined(separator: ", "))")
          }
          states.append(state)
        } while tokens.first == "," && tokens.popFirst() != nil
        matches.append(.ctState(states))
      case "counter":
        continue  // every rule counts
      default:
        guard let word = Verdict(rawValue: token) else {
          throw .invalid(
            "'\(NetworkRules.shown(token))' is not part of the rules PVCKit accepts (see Compatibility.md)")
        }
        verdict = word
      }
    }
    guard let verdict else { throw .invalid("the rule needs a verdict: accept, drop or reject") }
    self.matches = matches
    self.verdict = verdict
  }

  static func portRange(_ text: String) throws(NetworkError) -> ClosedRange<Int> {
    let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
    guard (1...2).contains(bounds.count),
      bounds.allSatisfy({ $0.count <= 5 && $0.allSatisfy(\.isNumber) && !$0.isEmpty }),
      let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]), 1 <= low, low <= high, high <= 65535
    else { throw .invalid("'\(NetworkRules.shown(text))' is not a port (1-65535) or a range of ports") }
    return low...high
  }

  /// The rule as PVCKit writes it into the network's nftables chain.
  public var description: String {
    let parts: [String] = matches.map { match in
      switch match {
      case .address(let source, let network):
        let prefix = network.isV4 ? "ip" : "ip6"
        let full = network.prefixLength == network.address.bytes.count * 8
        return "\(prefix) \(source ? "saddr" : "daddr") \(full ? network.address.description : network.description)"
      case .l4proto(let proto): return "meta l4proto \(proto)"
      case .port(let proto, let source, let ranges):
        let items = ranges.map {
          $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)"
        }
        return
          "\(proto) \(source ? "sport" : "dport") \(items.count == 1 ? items[0] : "{ " + items.joined(separator: ", ") + " }")"
      case .ctState(let states): return "ct state \(states.joined(separator: ","))"
      }
    }
    return (parts + ["counter", verdict.rawValue]).joined(separator: " ")
  }
}

/// A firewall rule of a network, as upstream's API shows it.
public struct NetworkACL: Codable, Sendable, Hashable {
  /// Its name (unique in its direction).
  public var description: String
  /// `in` or `out`.
  public var direction: String
  /// Its place in the chain, from 1.
  public var order: Int
  /// The rule, as PVCKit rendered it.
  public var rule: String

  /// Creates an ACL.
  public init(description: String, direction: String, order: Int, rule: String) {
    self.description = description
    self.direction = direction
    self.order = order
    self.rule = rule
  }
}
