import Foundation
import PVCKit

/// Small pieces of markup shared by the pages.
enum Components {
  /// A hidden field carrying the session's CSRF token; every form has one.
  static func csrf(_ token: String) -> HTML { "<input type=\"hidden\" name=\"csrf\" value=\"\(token)\">" }

  /// A one-button form posting `fields` to `action`.
  static func button(
    _ label: String, action: String, fields: [(String, String)] = [], csrf token: String, style: String = ""
  ) -> HTML {
    let hidden = fields.map {
      HTML("<input type=\"hidden\" name=\"\(HTML.escape($0.0))\" value=\"\(HTML.escape($0.1))\">")
    }
    return """
      <form method="post" action="\(action)" class="inline">\(csrf(token))\(hidden)\
      <button type="submit" class="\(style)">\(label)</button></form>
      """
  }

  /// A state shown as a coloured badge (the colour is a class named after the state's kind).
  static func badge(_ state: String) -> HTML {
    let kind: String
    switch state {
    case "start", "run", "ready", "primary", "new", "success": kind = "good"
    case "stop", "shutdown", "disable", "secondary", "client", "flushed", "ack": kind = "neutral"
    case "fail", "dead", "fenced", "fence-flush", "failure": kind = "bad"
    default: kind = "busy"
    }
    return "<span class=\"badge \(kind)\">\(state)</span>"
  }

  /// A horizontal bar showing `used` of `total`, as inline SVG with a text equivalent.
  static func meter(_ label: String, used: Double, total: Double, unit: String) -> HTML {
    let fraction = total > 0 ? min(1, max(0, used / total)) : 0
    let width = Int(checkedTruncating: (fraction * 200).rounded()) ?? 0
    let percent = Int(checkedTruncating: (fraction * 100).rounded()) ?? 0
    let text = "\(label): \(format(used)) of \(format(total)) \(unit) (\(percent)%)"
    return """
      <figure class="meter"><svg width="200" height="14" role="img" aria-label="\(text)">\
      <rect width="200" height="14" rx="3" class="track"/><rect width="\(width)" height="14" rx="3" class="\(fraction > 0.9 ? "fill high" : "fill")"/></svg>\
      <figcaption>\(text)</figcaption></figure>
      """
  }

  /// A sparkline of recent values, as inline SVG.
  static func sparkline(_ values: [Double], label: String) -> HTML {
    guard values.count > 1, let top = values.max(), top > 0 else {
      return "<span class=\"spark muted\">\(label): collecting…</span>"
    }
    let step = 160.0 / Double(values.count - 1)
    let points = values.enumerated().map { index, value in
      "\(format(Double(index) * step)),\(format(30 - value / top * 28))"
    }.joined(separator: " ")
    return """
      <figure class="spark"><svg width="160" height="32" role="img" aria-label="\(label), latest \(format(values.last!))">\
      <polyline points="\(points)" class="line"/></svg><figcaption>\(label): \(format(values.last!))</figcaption></figure>
      """
  }

  /// The faults with their acknowledge buttons (one each, and one for all).
  static func faultTable(_ faults: [Fault], session: WebSession) -> HTML {
    guard !faults.isEmpty else { return "<p>No faults.</p>" }
    let rows = faults.map { fault -> HTML in
      let acknowledge: HTML =
        fault.isAcknowledged
        ? "" : button("Acknowledge", action: "/faults/ack", fields: [("id", fault.id)], csrf: session.csrf)
      return """
        <tr><td>\(fault.id)</td><td>\(badge(fault.status))</td><td>\(fault.healthDelta)</td>\
        <td>\(fault.message)</td><td>\(fault.lastReported)</td><td>\(acknowledge)</td></tr>
        """
    }
    return """
      <table><caption class="sr">Faults</caption><thead><tr><th scope="col">ID</th><th scope="col">Status</th>\
      <th scope="col">Health −</th><th scope="col">Message</th><th scope="col">Last seen</th><th scope="col"></th></tr></thead>\
      <tbody>\(rows)</tbody></table>\
      \(button("Acknowledge all", action: "/faults/ack", fields: [("id", "all")], csrf: session.csrf))
      """
  }

  static func format(_ value: Double) -> String {
    guard value.isFinite else { return "?" }
    if value == value.rounded(), let whole = Int(checkedTruncating: value) { return String(whole) }
    return String(format: "%.1f", value)
  }
}
