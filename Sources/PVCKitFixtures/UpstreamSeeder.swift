import Foundation
public import PVCKit

/// Writes a synthetic cluster in upstream PVC's v15 layout, with the values
/// upstream's daemons write, for tests and benchmarks.
///
/// The shape follows the project's benchmark seeding convention: three
/// coordinators (hv1-hv3) with health plugin data and logs, two networks
/// (VNI 100 managed, 200 bridged) and `vms` VMs spread round-robin over the
/// nodes, each in state `start` with a full libvirt XML, stats, console log and
/// one tag. Deterministic for a given count.
public struct UpstreamSeeder: Sendable {
  public let zookeeper: ZooKeeper
  public let vms: Int
  public static let nodes = ["hv1", "hv2", "hv3"]

  public init(zookeeper: ZooKeeper, vms: Int) {
    self.zookeeper = zookeeper
    self.vms = vms
  }

  /// The UUID of VM number `index` (1-based).
  public static func uuid(_ index: Int) -> String {
    String(
      format: "%08lx-%04lx-4%03lx-8%03lx-%012lx", index * 2_654_435_761 % 0xFFFF_FFFF, index % 0xFFFF, index % 0xFFF,
      index % 0xFFF, index)
  }

  /// The name of VM number `index`.
  public static func name(_ index: Int) -> String { String(format: "vm%04d", index) }

  /// Deletes PVC's top-level trees and writes the cluster.
  public func seed() async throws {
    for top in ["/schema", "/config", "/logs", "/faults", "/nodes", "/domains", "/networks", "/ceph", "/cmd"] {
      try await zookeeper.deleteRecursively(top)
    }
    let base = Layout.base
    var operations: [ZooKeeperOperation] = [
      .create(base.path(.schema), ""), .create(base.path(.schemaVersion), "15"),
      .create(base.path(.config), "pvc-test"), .create(base.path(.maintenance), "false"),
      .create(base.path(.fenceLock), ""), .create(base.path(.primaryNode), "hv1"),
      .create(base.path(.primaryNodeSyncLock), ""), .create(base.path(.upstreamIP), "10.0.0.250/24"),
      .create(base.path(.migrationTargetSelector), "mem"), .create(base.path(.logs), ""),
      .create(base.path(.faults), ""), .create(base.path(.nodes), ""), .create(base.path(.domains), ""),
      .create(base.path(.networks), ""), .create(base.path(.storage), "  cluster:\n    health: HEALTH_OK\n"),
      .create(base.path(.storageHealth), #"{"status": "HEALTH_OK", "checks": {}, "mutes": []}"#),
      .create(base.path(.storageUtil), "--- RAW STORAGE ---\n"), .create(base.path(.osds), ""),
      .create(base.path(.pools), ""), .create(base.path(.volumes), ""), .create(base.path(.snapshots), ""),
    ]
    try await zookeeper.multi(operations)

    operations = []
    for (index, node) in Self.nodes.enumerated() {
      operations += try nodeOperations(node, index: index)
    }
    operations += try networkOperations()
    try await zookeeper.multi(operations)

    var batch: [[ZooKeeperOperation]] = []
    for index in stride(from: 1, through: vms, by: 1) {
      batch.append(try vmOperations(index))
      if batch.count == 100 {
        try await commit(batch)
        batch = []
      }
    }
    try await commit(batch)
  }

  /// Commits one transaction per VM, all of a batch in flight together.
  private func commit(_ transactions: [[ZooKeeperOperation]]) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
      for transaction in transactions { group.addTask { try await zookeeper.multi(transaction) } }
      try await group.waitForAll()
    }
  }

  private func nodeOperations(_ name: String, index: Int) throws -> [ZooKeeperOperation] {
    let node = try Layout.node(name)
    let mine = (1...max(vms, 1)).filter { vms > 0 && ($0 - 1) % 3 == index }
    let memory = mine.reduce(0) { $0 + Self.memory($1) }
    let vcpus = mine.reduce(0) { $0 + Self.vcpus($1) }
    var operations: [ZooKeeperOperation] = [
      .create(node.path(.root), "coordinator"),
      .create(node.path(.keepalive), String(Int(Date().timeIntervalSince1970))),
      .create(node.path(.mode), "coordinator"), .create(node.path(.activeSchema), "15"),
      .create(node.path(.latestSchema), "15"), .create(node.path(.staticData), "32 6.1.0-28-amd64 GNU/Linux x86_64"),
      .create(node.path(.pvcVersion), "1.0.3"),
      .create(node.path(.runningDomains), mine.map(Self.uuid).joined(separator: " ")),
      .create(node.path(.domainCount), String(mine.count)), .create(node.path(.networkCount), "2"),
      .create(node.path(.daemonState), "run"), .create(node.path(.routerState), index == 0 ? "primary" : "secondary"),
      .create(node.path(.domainState), "ready"),
      .create(node.path(.cpuLoad), String(format: "%.2f", 1.5 + Double(index))),
      .create(node.path(.vcpuAllocated), String(vcpus)), .create(node.path(.memoryTotal), "257664"),
      .create(node.path(.memoryUsed), String(min(memory, 250_000) + 6000)),
      .create(node.path(.memoryFree), String(max(257_664 - memory - 6000, 1000))),
      .create(node.path(.memoryAllocated), String(memory)), .create(node.path(.memoryProvisioned), String(memory)),
      .create(node.path(.ipmiHostname), "\(name)-lom.example.tld"), .create(node.path(.ipmiUsername), "admin"),
      .create(node.path(.ipmiPassword), "S3cur3IPMIP4ssw0rd"), .create(node.path(.sriov), ""),
      .create(node.path(.sriovPF), ""), .create(node.path(.sriovVF), ""),
      .create(node.path(.monitoringPlugins), "disk load zkpr"), .create(node.path(.monitoringData), ""),
      .create(node.path(.monitoringHealth), "100"),
      .create(node.path(.networkStats), #"{"ens4": {"rx_bps": 0, "tx_bps": 0, "state": "up"}}"#),
    ]
    for plugin in ["disk", "load", "zkpr"] {
      let entry = try Layout.monitoringPlugin(plugin, node: name)
      operations += [
        .create(entry.path(.root), ""), .create(entry.path(.lastRun), "1700000000"),
        .create(entry.path(.healthDelta), "0"), .create(entry.path(.message), "OK"),
        .create(entry.path(.data), #"{"ok": true}"#), .create(entry.path(.runtime), "0.05"),
      ]
    }
    let log = try Layout.log(name)
    operations += [
      .create(log.path(.root), ""),
      .create(log.path(.messages), (0..<50).map { "\(name) log line \($0)" }.joined(separator: "\n")),
    ]
    return operations
  }

  private func networkOperations() throws -> [ZooKeeperOperation] {
    var operations: [ZooKeeperOperation] = []
    for (vni, description, managed) in [(100, "bench-managed", true), (200, "bench-bridged", false)] {
      let net = try Layout.network(String(vni))
      operations += [
        .create(net.path(.root), description), .create(net.path(.type), managed ? "managed" : "bridged"),
        .create(net.path(.mtu), ""), .create(net.path(.rules), ""), .create(net.path(.rulesIn), ""),
        .create(net.path(.rulesOut), ""), .create(net.path(.nameServers), managed ? "10.100.0.1" : ""),
        .create(net.path(.domain), managed ? "\(description).local" : ""),
        .create(net.path(.reservations), "static"), .create(net.path(.leases), ""),
        .create(net.path(.ip4Gateway), managed ? "10.100.0.1" : ""),
        .create(net.path(.ip4Network), managed ? "10.100.0.0/24" : ""),
        .create(net.path(.ip4DHCP), managed ? "True" : "False"),
        .create(net.path(.ip4DHCPStart), managed ? "10.100.0.100" : ""),
        .create(net.path(.ip4DHCPEnd), managed ? "10.100.0.199" : ""),
        .create(net.path(.ip6Gateway), ""), .create(net.path(.ip6Network), ""), .create(net.path(.ip6DHCP), "False"),
      ]
    }
    return operations
  }

  static func memory(_ index: Int) -> Int { [1024, 2048, 4096, 8192][index % 4] }
  static func vcpus(_ index: Int) -> Int { [1, 2, 4][index % 3] }

  /// The 22 keys of one VM, as upstream writes them.
  private func vmOperations(_ index: Int) throws -> [ZooKeeperOperation] {
    let uuid = Self.uuid(index)
    let name = Self.name(index)
    let vm = try Layout.domain(uuid)
    let node = Self.nodes[(index - 1) % 3]
    let tag = try Layout.tag("bench", domain: uuid)
    return [
      .create(vm.path(.root), name), .create(vm.path(.xml), Self.xml(index)), .create(vm.path(.state), "start"),
      .create(vm.path(.profile), "default"), .create(vm.path(.stats), Self.stats(index)),
      .create(vm.path(.node), node), .create(vm.path(.lastNode), ""), .create(vm.path(.failedReason), ""),
      .create(vm.path(.volumes), "vms/\(name)_sda"),
      .create(
        vm.path(.consoleLog), (0..<20).map { "[\($0)] \(name) kernel: console line \($0)" }.joined(separator: "\n")),
      .create(vm.path(.vnc), "0.0.0.0:\(5900 + index / 3)"), .create(vm.path(.autostart), "False"),
      .create(vm.path(.migrationMethod), "live"), .create(vm.path(.migrationMaxDowntime), "300"),
      .create(vm.path(.nodeSelector), "mem"), .create(vm.path(.nodeLimit), ""), .create(vm.path(.tags), ""),
      .create(tag.path(.root), "bench"), .create(tag.path(.type), "user"), .create(tag.path(.protected), "False"),
      .create(vm.path(.migrateSyncLock), ""), .create(vm.path(.snapshots), ""),
    ]
  }

  static func stats(_ index: Int) -> String {
    let memory = memory(index) * 1024
    return """
      {"state": "running", "maxmem": \(memory), "livemem": \(memory), "cpus": \(vcpus(index)), "cputime": \(index * 1_000_000_000), \
      "mem_stats": {"actual": \(memory), "rss": \(memory / 2)}, "cpu_stats": {"cpu_time": \(index * 1000), "user_time": 0, "system_time": 0}, \
      "disk_stats": [{"name": "vms/\(name(index))_sda", "rd_req": 0, "rd_bytes": 0, "wr_req": 0, "wr_bytes": 0, "err": -1}], \
      "net_stats": [{"name": "vnet\(index % 1000)", "bridge": "vmbr100", "rd_bytes": 0, "rd_packets": 0, "rd_errors": 0, "rd_drops": 0, "wr_bytes": 0, "wr_packets": 0, "wr_errors": 0, "wr_drops": 0}]}
      """
  }

  /// A libvirt definition of the size upstream's provisioner writes (about 3.5 KB).
  public static func xml(_ index: Int) -> String {
    let name = name(index)
    let mac = String(format: "52:54:00:%02x:%02x:%02x", (index >> 16) & 0xFF, (index >> 8) & 0xFF, index & 0xFF)
    return """
      <domain type="kvm">
        <name>\(name)</name>
        <uuid>\(uuid(index))</uuid>
        <description>Synthetic VM \(index)</description>
        <memory unit="MiB">\(memory(index))</memory>
        <vcpu>\(vcpus(index))</vcpu>
        <cpu mode="host-passthrough"><topology sockets="1" cores="\(vcpus(index))" threads="1"/></cpu>
        <os><type arch="x86_64" machine="pc-i440fx-7.2">hvm</type><boot dev="hd"/><bios useserial="yes" rebootTimeout="5"/></os>
        <features><acpi/><apic/><pae/></features>
        <clock offset="utc"/>
        <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>restart</on_crash>
        <devices>
          <emulator>/usr/bin/kvm</emulator>
          <controller type="usb" index="0"/>
          <controller type="pci" index="0" model="pci-root"/>
          <controller type="scsi" index="0" model="virtio-scsi"/>
          <serial type="pty"><target port="0"/><log file="/var/log/libvirt/\(name).log" append="on"/></serial>
          <console type="pty"><target type="serial" port="0"/><log file="/var/log/libvirt/\(name).log" append="on"/></console>
          <graphics type="vnc" port="-1" autoport="yes" listen="0.0.0.0"><listen type="address" address="0.0.0.0"/></graphics>
          <video><model type="virtio" heads="1" primary="yes"/></video>
          <input type="tablet" bus="usb"/>
          <input type="keyboard" bus="ps2"/>
          <interface type="bridge"><mac address="\(mac)"/><source bridge="vmbr\(index % 2 == 1 ? 100 : 200)"/><model type="virtio"/><mtu size="1500"/></interface>
          <disk type="network" device="disk">
            <driver name="qemu" discard="unmap" cache="writeback"/>
            <source protocol="rbd" name="vms/\(name)_sda">
              <host name="hv1.storage.local" port="6789"/><host name="hv2.storage.local" port="6789"/><host name="hv3.storage.local" port="6789"/>
            </source>
            <auth username="libvirt"><secret type="ceph" uuid="8c4b3e7e-1f0b-4b8e-9f5a-2a6f3c1d9e01"/></auth>
            <target dev="sda" bus="scsi"/>
            <address type="drive" controller="0" bus="0" target="0" unit="0"/>
          </disk>
          <channel type="unix"><target type="virtio" name="org.qemu.guest_agent.0"/></channel>
          <memballoon model="virtio"><stats period="5"/></memballoon>
          <rng model="virtio"><backend model="random">/dev/urandom</backend></rng>
        </devices>
        <metadata>
          <pvc:pvc xmlns:pvc="https://www.parallelvirtualcluster.org/">
            <pvc:profile>default</pvc:profile><pvc:node_limit></pvc:node_limit><pvc:node_selector>mem</pvc:node_selector>
            <pvc:node_autostart>False</pvc:node_autostart><pvc:migration_method>live</pvc:migration_method>
          </pvc:pvc>
        </metadata>
      </domain>
      """
  }
}
