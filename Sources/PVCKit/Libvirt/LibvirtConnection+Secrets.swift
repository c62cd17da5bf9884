import CLibvirt
import Foundation

extension LibvirtConnection {
  /// Defines (or redefines) the libvirt secret QEMU uses to reach Ceph as `user`: UUID `uuid`, usage
  /// `ceph`, value the client's key (base64, as in a keyring). Private: libvirt never shows the value.
  public func defineCephSecret(uuid: String, user: String, key: String) async throws {
    guard let canonical = VMName.canonicalUUID(uuid) else {
      throw LibvirtError(code: -1, operation: "define the Ceph secret", message: "'\(uuid)' is not a UUID")
    }
    guard !user.isEmpty, user.utf8.count <= 64, user.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) })
    else { throw LibvirtError(code: -1, operation: "define the Ceph secret", message: "'\(user)' is not a Ceph user") }
    guard let value = Data(base64Encoded: key), !value.isEmpty, value.count <= 1024 else {
      throw LibvirtError(code: -1, operation: "define the Ceph secret", message: "the key is not base64")
    }
    let xml = """
      <secret ephemeral='no' private='yes'><uuid>\(canonical)</uuid>\
      <usage type='ceph'><name>client.\(user) secret</name></usage></secret>
      """
    let bytes = [UInt8](value)
    try await blocking("define the Ceph secret") { conn in
      guard let secret = virSecretDefineXML(conn, xml, 0) else { throw LibvirtError.last("define the Ceph secret") }
      defer { virSecretFree(secret) }
      let result = bytes.withUnsafeBufferPointer { virSecretSetValue(secret, $0.baseAddress, $0.count, 0) }
      guard result == 0 else { throw LibvirtError.last("set the Ceph secret's value") }
    }
  }

  /// Whether a secret with this UUID exists.
  public func hasSecret(uuid: String) async throws -> Bool {
    try await blocking("look up a secret") { conn in
      guard let secret = virSecretLookupByUUIDString(conn, uuid) else { return false }
      virSecretFree(secret)
      return true
    }
  }
}
