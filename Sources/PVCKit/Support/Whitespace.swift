extension String {
  /// The text without the ASCII white space (space, tab, line feed, carriage
  /// return) around it: what XML counts as white space, trimmed without
  /// Foundation's Unicode tables (parsing stored definitions is hot).
  var trimmingXMLWhitespace: String {
    let utf8 = self.utf8
    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
    guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(self[first...last])
  }
}
