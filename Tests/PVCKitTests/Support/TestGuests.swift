import Foundation

/// Tiny diskless guests for tests: SeaBIOS on a serial console, nothing to boot,
/// 64 MiB. They start in a fraction of a second with KVM or TCG.
enum TestGuests {
  /// Whether KVM is usable here (otherwise guests run under TCG).
  static let kvm = FileManager.default.isWritableFile(atPath: "/dev/kvm")

  /// A libvirt domain definition.
  static func xml(name: String, uuid: String = UUID().uuidString.lowercased(), memoryMiB: Int = 64, vcpus: Int = 1)
    -> String
  {
    """
    <domain type='\(kvm ? "kvm" : "qemu")'>
      <name>\(name)</name>
      <uuid>\(uuid)</uuid>
      <description>PVCKit test guest</description>
      <memory unit='MiB'>\(memoryMiB)</memory>
      <vcpu>\(vcpus)</vcpu>
      <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/><bios useserial='yes' rebootTimeout='-1'/></os>
      <on_reboot>restart</on_reboot>
      <devices>
        <serial type='pty'><target port='0'/><log file='/var/log/libvirt/\(name).log' append='on'/></serial>
        <console type='pty'><target type='serial' port='0'/></console>
      </devices>
    </domain>
    """
  }
}

extension TestGuests {
  /// The tiny real guest (`Scripts/guest-image.sh` in `directory`: a cloud kernel with a busybox shell on its
  /// serial console) under TCG (its kernel does not start under this machine's nested KVM), with `devices` added.
  static func tiny(name: String, directory: String, memoryMiB: Int = 128, devices: String = "") -> String {
    """
    <domain type='qemu'>
      <name>\(name)</name>
      <uuid>\(UUID().uuidString.lowercased())</uuid>
      <memory unit='MiB'>\(memoryMiB)</memory>
      <vcpu>1</vcpu>
      <os><type arch='x86_64' machine='pc'>hvm</type><kernel>\(directory)/vmlinuz</kernel>\
    <initrd>\(directory)/initrd.img</initrd><cmdline>console=ttyS0 quiet</cmdline></os>
      <devices>\(devices)
        <serial type='pty'><target port='0'/><log file='/var/log/libvirt/\(name).log' append='off'/></serial>
        <console type='pty'><target type='serial' port='0'/></console>
      </devices>
    </domain>
    """
  }
}

extension TestServices {
  /// The libvirt URIs of the simulated nodes started by `make test` (hv1, hv2, hv3).
  static var libvirtNodes: [String] {
    let net = ProcessInfo.processInfo.environment["PVCKIT_NODE_NET"] ?? "10.78.0"
    return (1...3).map { "qemu+tcp://\(net).\($0)/system" }
  }
}
