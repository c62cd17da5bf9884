import Foundation

/// Which VMs a listing returns, with upstream's `vm list` semantics.
public struct VMFilter: Sendable, Hashable {
  /// A name pattern (a regular expression matched against the whole name,
  /// implicitly `.*pattern.*` unless it starts with `^` or ends with `$`), or a UUID.
  public var limit: String?
  /// Whether `limit` is widened to a substring match.
  public var fuzzy: Bool
  /// Only VMs assigned to this node.
  public var node: String?
  /// Only VMs in this state.
  public var state: VMState?
  /// Only VMs with this tag.
  public var tag: String?
  /// Invert the node, state and tag conditions (not the limit).
  public var negate: Bool

  /// Creates a filter; with no arguments it matches every VM.
  public init(
    limit: String? = nil, fuzzy: Bool = true, node: String? = nil, state: VMState? = nil, tag: String? = nil,
    negate: Bool = false
  ) {
    self.limit = limit
    self.fuzzy = fuzzy
    self.node = node
    self.state = state
    self.tag = tag
    self.negate = negate
  }

  /// A compiled filter.
  struct Matcher {
    let filter: VMFilter
    let uuid: String?
    let pattern: Regex<AnyRegexOutput>?

    init(_ filter: VMFilter) throws {
      self.filter = filter
      guard let limit = filter.limit, !limit.isEmpty else {
        uuid = nil
        pattern = nil
        return
      }
      if let uuid = VMName.canonicalUUID(limit) {
        self.uuid = uuid
        pattern = nil
        return
      }
      uuid = nil
      var text = limit
      if filter.fuzzy {
        if !text.hasPrefix("^") { text = ".*" + text }
        if !text.hasSuffix("$") { text += ".*" }
      }
      do {
        pattern = try Regex(text)
      } catch {
        throw VMError.invalidArgument("invalid name pattern '\(limit)': \(error)")
      }
    }

    /// Whether a VM with these values passes.
    func matches(uuid: String, name: String, node: String, state: VMState, tags: [String]) -> Bool {
      if let wanted = self.uuid, wanted != uuid { return false }
      if let pattern, (try? pattern.wholeMatch(in: name)) == nil { return false }
      let negate = filter.negate
      if let wanted = filter.node, (node == wanted) == negate { return false }
      if let wanted = filter.state, (state == wanted) == negate { return false }
      if let wanted = filter.tag, tags.contains(wanted) == negate { return false }
      return true
    }
  }
}

extension VMFilter.Matcher {
  /// A `limit` pattern for other listings (networks, pools...): fuzzy unless anchored with ^ or $; a bad pattern's
  /// message goes through `wrap` into the listing's own error.
  static func names(_ limit: String?, _ wrap: (String) -> any Error) throws -> Self {
    var filter = VMFilter(limit: limit)
    filter.fuzzy = true
    do {
      return try Self(filter)
    } catch let error as VMError {
      throw wrap(error.description)
    }
  }

  /// Whether a name passes.
  func matches(_ name: String) -> Bool {
    matches(uuid: "", name: name, node: "", state: .start, tags: [])
  }
}
