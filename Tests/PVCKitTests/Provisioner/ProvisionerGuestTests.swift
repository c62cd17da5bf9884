import Foundation
import PVCKitFixtures
import Testing

@testable import PVCKit

/// VMs made by the provisioner that boot a tiny real guest (a Debian cloud kernel and a busybox initramfs made by
/// `Scripts/guest-image.sh`, under TCG: this machine's nested KVM does not boot Linux kernels), get an address from
/// the primary's dnsmasq on a managed network, and fetch their userdata from the metadata service on
/// 169.254.169.254, printing it on their serial console where the test reads it. Phase 2 of `make test`.
@Suite("Provisioner guests", .serialized)
struct ProvisionerGuestTests {
  /// The guest image's directory (`PVCKIT_GUEST_DIR`, made by `make test`).
  static var guestDirectory: String? { ProcessInfo.processInfo.environment["PVCKIT_GUEST_DIR"] }

  /// A script whose `create` phase boots the tiny guest: PVCKit's definition (its disk, its NIC, its serial
  /// console) with the kernel, the initramfs and a command line that names the URL to fetch, under TCG.
  static let script = """
    #!/usr/bin/env python3
    import json, re, sys
    data = json.load(sys.stdin)
    if sys.argv[1] != "create":
        sys.exit(0)
    vm = data["vm"]
    arguments = vm["arguments"]
    xml = data["xml"].replace("type='kvm'", "type='qemu'", 1)
    boot = ("<os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s/vmlinuz</kernel>"
            "<initrd>%s/initrd.img</initrd><cmdline>console=ttyS0 quiet pvc.hostname=%s pvc.fetch=%s</cmdline></os>"
            % (arguments["guest"], arguments["guest"], vm["name"], arguments["url"]))
    xml = re.sub(r"<os>.*?</os>", boot, xml, count=1, flags=re.S)
    xml = xml.replace("<target port='0'/></serial>",
                      "<target port='0'/><log file='/var/log/libvirt/%s.log' append='off'/></serial>" % vm["name"], 1)
    print(xml)
    """

  @Test(
    "VMs from profiles (system, network, storage templates, userdata) boot real guests that fetch their own userdata from 169.254.169.254, and only their own",
    .enabled(if: guestDirectory != nil))
  func guestsFetchTheirOwnUserdata() async throws {
    let guest = try #require(Self.guestDirectory)
    let database = try await DNSTestDatabase.make()
    defer { Task { await database.drop() } }
    var dns = SimulatedNodeConfiguration.DNS(
      hosts: database.settings.hosts, database: database.name, username: database.settings.user,
      password: database.settings.password, powerDNSPort: 25_756)
    dns.metadataPort = 28_183
    let configuration = SimulatedNodeConfiguration.text(
      nodeNet: NodeCluster.nodeNet, networking: true, ceph: TestServices.cephConfiguration, dns: dns,
      allowHostAccess: true)
    try await NodeCluster.with(configuration: configuration) { nodes in
      let cluster = try await PVCCluster.connect(
        .zookeeper(hosts: nodes.hosts), ceph: CephAccess(configurationFile: TestServices.cephConfiguration),
        provisionerDatabase: database.settings)
      let tag = UUID().uuidString.prefix(6).lowercased()
      let poolName = "pg-\(tag)"
      #expect(try await eventually(timeout: .seconds(20)) { try await cluster.nodes.primary() != nil })
      let primary = try #require(try await cluster.nodes.primary())
      try await cluster.storage.addPool(poolName, pgs: 8, replication: "copies=2,mincopies=1", tier: "default")
      do {
        let vni = 1630
        try await cluster.networks.add(NetworkLinkEndToEndTests.dhcpNetwork(vni))
        #expect(
          try await eventually(timeout: .seconds(30)) {
            NetworkLinkEndToEndTests.links(primary)["vmbr\(vni)"]?.isUp == true
          })
        try await cluster.storage.addVolume("base", pool: poolName, size: "64M", force: true)
        let provisioner = cluster.provisioner
        // On the primary, beside its dnsmasq: one node's guests, so that the test does not also test VXLAN.
        try await provisioner.addSystemTemplate(
          "guest", .init(vcpus: 1, vramMB: 128, serial: true, vnc: false, nodeLimit: [primary]))
        try await provisioner.addNetworkTemplate("lan", macTemplate: nil)
        try await provisioner.addTemplateNetwork("lan", vni: "\(vni)", permitDuplicate: false)
        try await provisioner.addStorageTemplate("disk")
        try await provisioner.addTemplateDisk("disk", diskID: "sda", .init(pool: poolName, sourceVolume: "base"))
        try await provisioner.addScript("tiny-guest", data: Self.script)
        let url = "http://169.254.169.254:28183/latest/user-data"
        let secrets = ["a": "#cloud-config\n# alpha-\(tag)", "b": "#cloud-config\n# beta-\(tag)"]
        for (key, secret) in secrets {
          try await provisioner.addUserdata("data-\(key)", data: secret)
          try await provisioner.addProfile(
            "guest-\(key)",
            .init(
              type: .provisioner, systemTemplate: "guest", networkTemplate: "lan", storageTemplate: "disk",
              userdata: "data-\(key)", script: "tiny-guest", arguments: ["guest=\(guest)", "url=\(url)"]))
        }
        for key in secrets.keys.sorted() {
          let done = try await cluster.tasks.wait(
            for: try await provisioner.create(.init(name: "guest-\(key)-\(tag)", profile: "guest-\(key)")).id,
            timeout: .seconds(180))
          #expect(done.state == .success, "\(done.status)")
        }
        // Each guest prints what it fetched on its serial console: its own userdata, never the other's.
        for (key, secret) in secrets {
          let name = "guest-\(key)-\(tag)"
          let log = "\(SimulatedNodes.root(of: primary))/var/log/libvirt/\(name).log"
          #expect(
            try await eventually(timeout: .seconds(120)) {
              let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
              return text.contains("PVC-FETCH-END") || text.contains("PVC-FETCH-FAILED")
            }, "\(name) did not finish its fetch")
          let console = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
          let fetched = console.components(separatedBy: "PVC-FETCH-BEGIN").dropFirst().first?
            .components(separatedBy: "PVC-FETCH-END").first?.trimmingCharacters(in: .whitespacesAndNewlines)
          #expect(
            fetched?.replacingOccurrences(of: "\r", with: "") == secret, "\(name)'s console: \(console.suffix(600))")
          let other = secrets.first { $0.key != key }!.value
          #expect(!console.contains(other.components(separatedBy: "\n")[1]), "\(name) read the other guest's data")
          // Its disk is a copy of the base image in Ceph.
          #expect(try await cluster.storage.volume("\(name)_sda", pool: poolName).name == "\(name)_sda")
          try await cluster.vms.remove(name, deleteDisks: true)
        }
      } catch {
        try? await cluster.storage.removePool(poolName)
        await cluster.close()
        throw error
      }
      try await cluster.storage.removePool(poolName)
      await cluster.close()
    }
  }
}
