import ArgumentParser
import Foundation
import PVCKit

/// Formats of list commands.
enum ListFormat: String, ExpressibleByArgument, CaseIterable {
  case pretty, raw, json
  case jsonPretty = "json-pretty"
}

/// Formats of info commands.
enum InfoFormat: String, ExpressibleByArgument, CaseIterable {
  case pretty, long, json
  case jsonPretty = "json-pretty"
}

/// Prints a value as JSON (compact or indented).
func printJSON<T: Encodable>(_ value: T, pretty: Bool) throws {
  output(String(decoding: try UpstreamJSON.encoder(pretty: pretty).encode(value), as: UTF8.self))
}

/// A text table whose columns fit their widest cell; colour codes do not count towards widths.
struct Table {
  var header: [String]
  var rows: [[String]] = []
  var colour: Bool = Terminal.colour

  static func visibleWidth(_ text: String) -> Int {
    var width = 0
    var inEscape = false
    for character in text {
      if character == "\u{1B}" {
        inEscape = true
      } else if inEscape {
        if character == "m" { inEscape = false }
      } else {
        width += 1
      }
    }
    return width
  }

  func render() -> String {
    var widths = header.map(\.count)
    for row in rows {
      for (index, cell) in row.enumerated() where index < widths.count {
        widths[index] = max(widths[index], Self.visibleWidth(cell))
      }
    }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { index, cell in
        index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - Self.visibleWidth(cell))
      }.joined(separator: "  ")
    }
    let top = Terminal.paint(line(header), "1", colour)
    return ([top] + rows.map(line)).joined(separator: "\n")
  }
}

/// Colours of states, as upstream shows them.
enum StateColour {
  static func vm(_ state: VMState) -> String {
    switch state {
    case .start: "32"
    case .restart, .shutdown: "33"
    case .stop, .fail: "31"
    case .mirror: "35"
    default: "34"
    }
  }

  static func daemon(_ state: NodeDaemonState) -> String {
    switch state {
    case .run: "32"
    case .stop, .dead, .fenced: "31"
    case .shutdown, .initializing: "33"
    default: "34"
    }
  }

  static func coordinator(_ state: NodeCoordinatorState) -> String {
    state == .primary ? "32" : state == .secondary ? "34" : "36"
  }

  static func domain(_ state: NodeDomainState) -> String { state == .ready ? "32" : "34" }
}
