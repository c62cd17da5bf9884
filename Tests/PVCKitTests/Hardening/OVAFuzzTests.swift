import Foundation
import PropertyBased
import Testing

@testable import PVCKit

extension FuzzTests {
  @Test("OVA archives and OVF descriptors: any value or damage gives a descriptor in bounds or a clear error")
  func ova() async throws {
    // Every hostile value at every place of a descriptor, then random ones.
    let places = ["vcpus", "memory", "disk", "href", "format", "units", "network"]
    func descriptor(_ value: String, at place: Int) -> String {
      var text = OVATestImage.descriptor()
      let escaped = value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: "\"", with: "&quot;")
      switch places[place % places.count] {
      case "vcpus": text = text.replacingOccurrences(of: "VirtualQuantity>1<", with: "VirtualQuantity>\(escaped)<")
      case "memory": text = text.replacingOccurrences(of: "VirtualQuantity>64<", with: "VirtualQuantity>\(escaped)<")
      case "disk": text = text.replacingOccurrences(of: "ovf:capacity=\"16\"", with: "ovf:capacity=\"\(escaped)\"")
      case "href": text = text.replacingOccurrences(of: "disk1.vmdk", with: escaped)
      case "format": text = text.replacingOccurrences(of: "#streamOptimized", with: escaped)
      case "units": text = text.replacingOccurrences(of: "byte * 2^20\"", with: "\(escaped)\"")
      default: text = text.replacingOccurrences(of: "VM Network", with: escaped)
      }
      // Some are cut short at a place chosen by the value's length.
      return place >= places.count ? String(text.prefix(value.count * 37 % text.count)) : text
    }
    func check(_ text: String) {
      do {
        let parsed = try OVFDescriptor.parse(text)
        #expect((1...256).contains(parsed.vcpus) && parsed.memoryMiB >= 1 && parsed.disks.count <= 26)
        #expect(parsed.disks.allSatisfy { $0.capacity > 0 && !$0.file.isEmpty })
      } catch {
        #expect(!error.description.isEmpty)
      }
    }
    for value in Self.hostile { for place in 0..<(2 * places.count) { check(descriptor(value, at: place)) } }
    await propertyCheck(count: 400, input: Self.value, Gen.int(in: 0...(2 * places.count - 1))) { value, place in
      check(descriptor(value, at: place))
    }

    // A real archive with any of its bytes changed, or cut anywhere: indexed or refused, never a trap.
    let image = try OVATestImage.make(tag: "fuzz-\(UUID().uuidString.prefix(6))")
    defer { image.remove() }
    let bytes = [UInt8](try Data(contentsOf: image.archive))
    await propertyCheck(count: 300, input: Gen.int(in: 0...(bytes.count - 1)), Gen.int(in: 0...255), Gen.bool) {
      offset, byte, cut in
      var damaged = bytes
      damaged[offset] = UInt8(byte)
      if cut { damaged = Array(damaged.prefix(offset)) }
      let archive = damaged
      do {
        let index = try await TarIndex.read(size: UInt64(archive.count)) { start, count in
          guard start < UInt64(archive.count) else { return [] }
          return Array(archive[Int(start)..<min(archive.count, Int(start) + count)])
        }
        #expect(index.entries.allSatisfy { $0.offset + $0.size <= UInt64(archive.count) })
      } catch let error as ProvisionerError {
        #expect(!error.description.isEmpty)
      } catch {
        Issue.record("unexpected error type \(type(of: error)): \(error)")
      }
    }
  }
}
