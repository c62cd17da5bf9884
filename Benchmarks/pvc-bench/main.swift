import Foundation
import PVCKit

// pvc-bench: PVCKit's benchmarks, each figure against a baseline measured in
// the same run (these machines are shared and noisy, so ratios are what count).
//
// Usage: pvc-bench zookeeper --hosts HOSTS [--count N] [--rounds R]
//        pvc-bench vm-list --hosts HOSTS [--sizes 1000,10000] [--rounds R]
//        pvc-bench parse [--count N] [--rounds R]
//        pvc-bench vm-start --hosts HOSTS --node-net NET [--console-dir DIR] [--rounds R]
//        pvc-bench api --hosts HOSTS [--vms N] [--seconds S]   (needs wrk)
//        pvc-bench cli --hosts HOSTS [--vms N] [--runs R]   (needs hyperfine and a built pvc)
//        pvc-bench web --hosts HOSTS [--sizes 1000,10000] [--rounds R]
//        pvc-bench ha --hosts HOSTS [--rounds R] [--default-rounds R]   (three simulated nodes with BMCs)
//        pvc-bench self-fence --hosts HOSTS [--rounds R]   (three simulated nodes)
//        pvc-bench network --hosts HOSTS [--rounds R] [--rules N]   (three simulated nodes, FRR, dnsmasq)
//        pvc-bench storage --hosts HOSTS --ceph-conf FILE [--volumes N] [--rounds R]   (a Ceph cluster)
//        pvc-bench dns --hosts HOSTS --galera H:P,... --galera-password PW [--records N] [--rounds R]
//          (a Galera cluster with user pvc; PowerDNS)
//        pvc-bench snapshots --hosts HOSTS --ceph-conf FILE [--rounds R]
//        pvc-bench health --hosts HOSTS --node-net NET [--rounds R]   (a simulated node's libvirt)
//        pvc-bench consoles --hosts HOSTS --node-net NET --guest-dir DIR [--rounds R]   (the tiny guest on hv1)
//        pvc-bench provisioner --hosts HOSTS --ceph-conf FILE --galera H:P,... --galera-password PW [--rounds R]
//          [--bulk N]   (three simulated nodes, Ceph, Galera)

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String, default fallback: String) -> String {
  guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return fallback }
  return arguments[index + 1]
}

guard let suite = arguments.first else {
  FileHandle.standardError.write(Data("usage: pvc-bench zookeeper --hosts HOSTS [--count N] [--rounds R]\n".utf8))
  exit(2)
}
let hosts = option("--hosts", default: "127.0.0.1:23181")
let count = Int(option("--count", default: "10000")) ?? 10000
let rounds = Int(option("--rounds", default: "3")) ?? 3

do {
  switch suite {
  case "zookeeper":
    let report = try await ZooKeeperBenchmark(hosts: hosts, count: count, rounds: rounds).run()
    print(report.render())
  case "vm-start":
    print(
      try await VMStartBenchmark(
        hosts: hosts, nodeNet: option("--node-net", default: "10.80.0"),
        consoleDirectory: option("--console-dir", default: "/tmp"), rounds: rounds
      ).run().render())
  case "consoles":
    print(
      try await ConsoleBenchmark(
        hosts: hosts, nodeNet: option("--node-net", default: "10.80.0"),
        guestDirectory: option("--guest-dir", default: "/tmp/pvckit-bench/guest"), rounds: rounds
      ).run().render())
  case "health":
    print(
      try await HealthBenchmark(hosts: hosts, nodeNet: option("--node-net", default: "10.80.0"), rounds: rounds)
        .run().render())
  case "parse":
    print(try ParseBenchmark(count: Int(option("--count", default: "1000")) ?? 1000, rounds: rounds).run().render())
  case "vm-list":
    let sizes = option("--sizes", default: "1000,10000").split(separator: ",").compactMap { Int($0) }
    print(try await VMListBenchmark(hosts: hosts, sizes: sizes, rounds: rounds).run().render())
  case "api":
    print(
      try await APIBenchmark(
        hosts: hosts, vms: Int(option("--vms", default: "1000")) ?? 1000,
        seconds: Int(option("--seconds", default: "10")) ?? 10
      ).run().render())
  case "cli":
    print(
      try await CLIBenchmark(
        hosts: hosts, vms: Int(option("--vms", default: "1000")) ?? 1000,
        runs: Int(option("--runs", default: "10")) ?? 10
      ).run().render())
  case "web":
    let sizes = option("--sizes", default: "1000,10000").split(separator: ",").compactMap { Int($0) }
    print(try await WebBenchmark(hosts: hosts, sizes: sizes, rounds: rounds).run().render())
  case "self-fence":
    print(try await HABenchmark(hosts: hosts, rounds: rounds, defaultRounds: 0).runSelfFence(rounds: rounds).render())
  case "network":
    let rules = Int(option("--rules", default: "1000")) ?? 1000
    print(try await NetworkBenchmark(hosts: hosts, rounds: rounds, rules: rules).run().render())
  case "storage":
    print(
      try await StorageBenchmark(
        hosts: hosts, cephConfiguration: option("--ceph-conf", default: "/tmp/pvckit-bench/ceph/ceph.conf"),
        volumes: Int(option("--volumes", default: "1000")) ?? 1000, rounds: rounds
      ).run().render())
  case "dns":
    let galera = MariaDBConnection.Settings(
      hosts: option("--galera", default: "127.0.0.1:23306").split(separator: ",").map(String.init), user: "pvc",
      password: option("--galera-password", default: ""), database: "pvcdns")
    print(
      try await DNSBenchmark(
        hosts: hosts, galera: galera, records: Int(option("--records", default: "10000")) ?? 10000, rounds: rounds
      ).run().render())
  case "provisioner":
    let galera = MariaDBConnection.Settings(
      hosts: option("--galera", default: "127.0.0.1:23306").split(separator: ",").map(String.init), user: "pvc",
      password: option("--galera-password", default: ""), database: "pvcapi")
    print(
      try await ProvisionerBenchmark(
        hosts: hosts, cephConfiguration: option("--ceph-conf", default: "/tmp/pvckit-bench/ceph/ceph.conf"),
        galera: galera, rounds: rounds, bulk: Int(option("--bulk", default: "100")) ?? 100
      ).run().render())
  case "snapshots":
    print(
      try await SnapshotBenchmark(
        hosts: hosts, cephConfiguration: option("--ceph-conf", default: "/tmp/pvckit-bench/ceph/ceph.conf"),
        rounds: rounds
      ).run().render())
  case "ha":
    let defaultRounds = Int(option("--default-rounds", default: "1")) ?? 1
    print(try await HABenchmark(hosts: hosts, rounds: rounds, defaultRounds: defaultRounds).run().render())
  default:
    FileHandle.standardError.write(Data("unknown benchmark suite '\(suite)'\n".utf8))
    exit(2)
  }
} catch {
  FileHandle.standardError.write(Data("pvc-bench: \(error)\n".utf8))
  exit(1)
}
