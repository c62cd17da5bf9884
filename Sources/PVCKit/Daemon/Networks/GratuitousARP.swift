import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Announces that an IPv4 address now lives on this node's interface (a
/// gratuitous ARP request, as keepalived and upstream's gateways do): guests
/// update the gateway's hardware address at once after a primary handover,
/// instead of talking to the old node until their ARP entries expire.
enum GratuitousARP {
  /// Sends `count` announcements of `address` on `interface`; whether one was sent.
  @discardableResult
  static func announce(_ address: IPv4Address, on interface: String, count: Int = 2) -> Bool {
    guard interface.utf8.count < 16, !interface.contains("/"), !interface.contains(".."),
      let text = try? String(contentsOfFile: "/sys/class/net/\(interface)/address", encoding: .utf8),
      let mac = NetworkRules.mac(text.trimmingCharacters(in: .whitespacesAndNewlines))
    else { return false }
    let hardware = mac.split(separator: ":").compactMap { UInt8($0, radix: 16) }
    let index = if_nametoindex(interface)
    guard hardware.count == 6, index != 0 else { return false }
    let protocolARP: UInt16 = 0x0806  // ETH_P_ARP
    let descriptor = socket(AF_PACKET, Int32(SOCK_RAW.rawValue), Int32(protocolARP.bigEndian))
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    let ip = withUnsafeBytes(of: address.value.bigEndian) { Array($0) }
    let broadcast = [UInt8](repeating: 0xff, count: 6)
    // Ethernet header, then an ARP request for our own address (sender and target alike).
    var frame = broadcast + hardware + [0x08, 0x06]
    frame += [0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01] + hardware + ip + [UInt8](repeating: 0, count: 6) + ip
    // struct sockaddr_ll (linux/if_packet.h, which Glibc's module leaves out): family, protocol, interface
    // index, hardware type, packet type, address length, address (8 bytes).
    var link = [UInt8](repeating: 0, count: 20)
    withUnsafeBytes(of: UInt16(AF_PACKET)) { link.replaceSubrange(0..<2, with: $0) }
    withUnsafeBytes(of: protocolARP.bigEndian) { link.replaceSubrange(2..<4, with: $0) }
    withUnsafeBytes(of: Int32(bitPattern: index)) { link.replaceSubrange(4..<8, with: $0) }
    link[11] = 6
    link.replaceSubrange(12..<18, with: broadcast)
    var sent = false
    for _ in 0..<max(1, count) {
      let result = frame.withUnsafeBytes { bytes in
        link.withUnsafeBytes { address in
          sendto(
            descriptor, bytes.baseAddress, bytes.count, 0, address.baseAddress?.assumingMemoryBound(to: sockaddr.self),
            socklen_t(address.count))
        }
      }
      sent = sent || result == frame.count
    }
    return sent
  }
}
