import Foundation
import PVCKit

/// Upstream's per-VM families: what each VM is (labels of information gauges), its configuration, and its
/// statistics as its node last reported them.
enum VMMetrics {
  /// A VM state's number in `pvc_vm_state` (its place in upstream's list of states).
  static func code(_ state: VMState) -> Int {
    UpstreamMetrics.vmStates.firstIndex(of: state.rawValue) ?? UpstreamMetrics.vmStates.count
  }

  static func all(_ vms: [VMInfo], into metrics: MetricsWriter) {
    for vm in vms { self.vm(vm, into: metrics) }
    // Upstream declares these without labels; PVCKit answers them as totals over the cluster's VMs.
    for (key, name, help) in [
      ("swap_in", "pvc_vm_memory_swap_in", "Memory swapped in, all VMs"),
      ("swap_out", "pvc_vm_memory_swap_out", "Memory swapped out, all VMs"),
      ("major_fault", "pvc_vm_memory_major_fault", "Major page faults, all VMs"),
      ("minor_fault", "pvc_vm_memory_minor_fault", "Minor page faults, all VMs"),
      ("hugetlb_pgalloc", "pvc_vm_memory_hugetlb_pgalloc", "Huge page allocations, all VMs"),
      ("hugetlb_pgfail", "pvc_vm_memory_hugetlb_pgfail", "Huge page allocation failures, all VMs"),
    ] {
      metrics.set(name, help, vms.reduce(0) { $0 + Double($1.memoryStats[key] ?? 0) })
    }
    metrics.set("pvc_vm_node_autostart", "VMs set to start again on their node", vms.filter(\.nodeAutostart).count)
  }

  static func vm(_ vm: VMInfo, into metrics: MetricsWriter) {
    let name = ("vm", vm.name)
    let label = [name]
    metrics.info("pvc_vm_active_node", "The node the VM is on", [("node", vm.node), name])
    metrics.info("pvc_vm_description", "The VM's description", [("description", vm.description), name])
    metrics.info(
      "pvc_vm_failed_reason", "Why the VM failed (empty when it has not)", [("failed_reason", vm.failedReason), name])
    metrics.info("pvc_vm_machine_type", "The VM's machine type", [("machine_type", vm.machine), name])
    metrics.set("pvc_vm_memory", "The VM's memory, MiB", label, vm.memory)
    for (key, family, help) in [
      ("actual", "pvc_vm_memory_stats_actual", "Memory given to the VM, KiB"),
      ("available", "pvc_vm_memory_stats_available", "Memory the guest sees as available, KiB"),
      ("disk_caches", "pvc_vm_memory_stats_disk_caches", "The guest's disk caches, KiB"),
      ("rss", "pvc_vm_memory_stats_rss", "The VM's resident memory on its node, KiB"),
      ("unused", "pvc_vm_memory_stats_unused", "Memory the guest leaves unused, KiB"),
      ("usable", "pvc_vm_memory_stats_usable", "Memory the guest could use, KiB"),
    ] {
      metrics.set(family, help, label, vm.memoryStats[key] ?? 0)
    }
    metrics.set(
      "pvc_vm_migrated", "1 when the VM runs away from its home node", [("last_node", vm.lastNode), name],
      vm.migrated == "no" || vm.migrated.isEmpty ? 0 : 1)
    metrics.info(
      "pvc_vm_migration_method", "How the VM migrates", [("migration_method", vm.migrationMethod ?? "none"), name])
    metrics.info(
      "pvc_vm_node_limit", "The nodes the VM may run on",
      [("node_limit", (vm.nodeLimit ?? []).joined(separator: ",")), name])
    metrics.info(
      "pvc_vm_node_selector", "How the VM's node is chosen", [("node_selector", vm.nodeSelector ?? "none"), name])
    metrics.info("pvc_vm_profile", "The provisioner profile the VM came from", [("profile", vm.profile), name])
    metrics.set("pvc_vm_serial_console", "1 when the VM has a serial console", label, vm.console.isEmpty ? 0 : 1)
    metrics.set(
      "pvc_vm_state", "The VM's state (its number in the state label's list)", [("state", vm.state.rawValue), name],
      code(vm.state))
    metrics.set("pvc_vm_tags", "The VM's tags", label, vm.tags.count)
    metrics.info("pvc_vm_uuid", "The VM's UUID", [("uuid", vm.uuid), name])
    metrics.info("pvc_vm_vcpu_topology", "The VM's vCPU topology", [("topology", vm.vcpuTopology), name])
    metrics.set("pvc_vm_vcpus", "The VM's vCPUs", label, vm.vcpu)
    // libvirt reports CPU times in nanoseconds.
    for (key, family, help) in [
      ("cpu_time", "pvc_vm_vcpus_cpu_time", "CPU time of the VM's vCPUs, ms"),
      ("system_time", "pvc_vm_vcpus_system_time", "System time of the VM's vCPUs, ms"),
      ("user_time", "pvc_vm_vcpus_user_time", "User time of the VM's vCPUs, ms"),
    ] {
      metrics.set(family, help, label, Double(vm.vcpuStats[key] ?? 0) / 1_000_000)
    }
    let hasVNC = vm.vnc.listen != nil || vm.vnc.port != nil
    metrics.set("pvc_vm_vnc_console", "1 when the VM has a VNC console", label, hasVNC ? 1 : 0)
    if hasVNC {
      metrics.info("pvc_vm_vnc_listen_address", "Where the VM's VNC listens", [("address", vm.vnc.listen ?? ""), name])
      metrics.info("pvc_vm_vnc_listen_port", "The VM's VNC port", [("port", vm.vnc.port ?? ""), name])
    }
    for disk in vm.disks {
      let labels = [("disk", disk.name), name]
      metrics.set("pvc_vm_disk_rd_bytes", "Bytes read from the disk", labels, disk.rdBytes)
      metrics.set("pvc_vm_disk_rd_req", "Read requests to the disk", labels, disk.rdReq)
      metrics.set("pvc_vm_disk_wr_bytes", "Bytes written to the disk", labels, disk.wrBytes)
      metrics.set("pvc_vm_disk_wr_req", "Write requests to the disk", labels, disk.wrReq)
    }
    for network in vm.networks {
      let labels = [name, ("vni", network.vni)]
      metrics.info(
        "pvc_vm_network_macaddr", "The NIC's MAC address", [("macaddr", network.mac), name, ("vni", network.vni)])
      metrics.info(
        "pvc_vm_network_model", "The NIC's device model", [("model", network.model), name, ("vni", network.vni)])
      metrics.set("pvc_vm_network_rd_bits", "Bits received by the NIC", labels, network.rdBytes * 8)
      metrics.set("pvc_vm_network_rd_drops", "Receive drops", labels, network.rdDrops)
      metrics.set("pvc_vm_network_rd_errors", "Receive errors", labels, network.rdErrors)
      metrics.set("pvc_vm_network_rd_packets", "Packets received", labels, network.rdPackets)
      metrics.set("pvc_vm_network_wr_bits", "Bits sent by the NIC", labels, network.wrBytes * 8)
      metrics.set("pvc_vm_network_wr_drops", "Send drops", labels, network.wrDrops)
      metrics.set("pvc_vm_network_wr_errors", "Send errors", labels, network.wrErrors)
      metrics.set("pvc_vm_network_wr_packets", "Packets sent", labels, network.wrPackets)
    }
  }
}
