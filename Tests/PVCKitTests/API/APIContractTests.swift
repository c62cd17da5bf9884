import Foundation
import PVCKit
import PVCKitFixtures
import Testing

@testable import PVCKitAPI

/// Responses checked against upstream's definitions, and malformed requests
/// thrown at every route.
@Suite("HTTP API: upstream contract and fuzzing")
struct APIContractTests {
  /// Fields upstream documents with one type and sends with another; PVCKit sends what upstream sends.
  static let documentedDifferently: [String: Set<String>] = [
    // Documented as a string; upstream sends the VM's boolean.
    "VMMetadata": ["node_autostart"],
    // Documented as a string; upstream sends a list of names.
    "node": ["running_domains"],
    // Documented as an integer; upstream sends "" when no MTU is set.
    "network": ["mtu"],
  ]

  @Test("every implemented GET answers in the shape of upstream's definition")
  func shapes() async throws {
    try await APITestHarness.with(vms: 4) { api in
      let contract = try UpstreamContract.load()
      try await api.cluster.faults.report([FaultReport(id: "VM_FAILED_x", healthDelta: 10, message: "VM x failed")])
      let vm = UpstreamSeeder.name(2)
      let checks: [(String, String)] = [
        ("/", "API-Version"), ("/status", "ClusterStatus"), ("/faults", "fault"), ("/faults/VM_FAILED_x", "fault"),
        ("/node", "node"), ("/node/hv1", "node"), ("/node/hv1/daemon-state", "NodeDaemonState"),
        ("/node/hv1/coordinator-state", "NodeCoordinatorState"), ("/node/hv1/domain-state", "NodeDomainState"),
        ("/node/hv1/log", "NodeLog"), ("/vm", "vm"), ("/vm/\(vm)", "vm"), ("/vm/\(vm)/meta", "VMMetadata"),
        ("/vm/\(vm)/state", "VMState"), ("/vm/\(vm)/node", "VMNode"), ("/vm/\(vm)/console", "VMLog"),
        ("/network", "network"), ("/network/100", "network"), ("/network/200", "network"),
        ("/storage/ceph/pool", "pool"), ("/storage/ceph/pool/vms", "pool"), ("/storage/ceph/volume", "volume"),
        ("/storage/ceph/volume/vms/disk0", "volume"), ("/storage/ceph/snapshot", "snapshot"),
        ("/storage/ceph/snapshot/vms/disk0/snap0", "snapshot"), ("/storage/ceph/osd", "osd"),
        ("/storage/ceph/osd/0", "osd"),
      ]
      try await Self.recordStorage(api.cluster.zookeeper!)
      for (path, definition) in checks {
        let response = try await api.call(.get, path)
        #expect(response.status == 200, "GET \(path): \(response.status) \(response.text)")
        for element in try JSONValue.parse(response.body).elements {
          let problems = contract.problems(
            element, against: definition, except: Self.documentedDifferently[definition] ?? [])
          #expect(problems.isEmpty, "GET \(path): \(problems)")
        }
      }
    }
  }

  /// Storage records as upstream's daemons write them: a pool, a volume, a snapshot and an OSD with their stats.
  static func recordStorage(_ zookeeper: ZooKeeper) async throws {
    for parent in ["/ceph/pools", "/ceph/volumes", "/ceph/snapshots", "/ceph/osds"] {
      try await zookeeper.ensurePath(parent)
    }
    let pool =
      #"{"id":2,"stored_bytes":1024,"free_bytes":2048,"used_bytes":2048,"used_percent":0.5,"num_objects":3,"num_object_clones":0,"num_object_copies":6,"num_objects_missing_on_primary":0,"num_objects_unfound":0,"num_objects_degraded":0,"read_ops":1,"read_bytes":2,"write_ops":3,"write_bytes":4}"#
    let volume =
      #"{"name":"disk0","size":10737418240,"objects":2560,"order":22,"object_size":4194304,"format":2,"features":["layering"]}"#
    let osd =
      #"{"id":"0","uuid":"u","up":1,"in":1,"primary_affinity":1,"reweight":1,"state":"exists,up","kb":1048576,"used":"1 MiB","avail":"1023 MiB","utilization":0.1,"pgs":16,"var":1,"wr_ops":0,"wr_data":0,"rd_ops":0,"rd_data":0}"#
    _ = try await zookeeper.multi([
      .create("/ceph/pools/vms", "vms"), .create("/ceph/pools/vms/pgs", "16"),
      .create("/ceph/pools/vms/tier", "default"),
      .create("/ceph/pools/vms/stats", pool), .create("/ceph/volumes/vms", ""),
      .create("/ceph/volumes/vms/disk0", "disk0"),
      .create("/ceph/volumes/vms/disk0/stats", volume), .create("/ceph/snapshots/vms", ""),
      .create("/ceph/snapshots/vms/disk0", ""), .create("/ceph/snapshots/vms/disk0/snap0", "snap0"),
      .create("/ceph/snapshots/vms/disk0/snap0/stats", "{}"), .create("/ceph/osds/0", "0"),
      .create("/ceph/osds/0/node", "hv1"), .create("/ceph/osds/0/device", "/dev/sdb"),
      .create("/ceph/osds/0/stats", osd),
    ])
  }

  /// The keys upstream's code sends (daemon-common's getNodeInformation,
  /// getInformationFromXML and getClusterInformation; the swagger file lists fewer):
  /// `a.b` is a key of an object, `a[].b` a key of every element, `a.*.b` of every value.
  static let upstreamKeys: [String: [String]] = [
    "/node/hv1": [
      "name", "daemon_state", "coordinator_state", "domain_state", "pvc_version", "cpu_count", "kernel", "os", "arch",
      "health", "health_plugins", "health_details[].name", "health_details[].last_run",
      "health_details[].health_delta", "health_details[].message", "health_details[].data", "load", "domains_count",
      "running_domains", "vcpu.total", "vcpu.allocated", "memory.total", "memory.allocated", "memory.provisioned",
      "memory.used", "memory.free", "interfaces",
    ],
    "/vm/vm0001": [
      "name", "uuid", "state", "node", "last_node", "migrated", "failed_reason", "node_limit", "node_selector",
      "node_autostart", "migration_method", "migration_max_downtime", "tags[].name", "tags[].type", "tags[].protected",
      "snapshots", "description", "profile", "memory", "memory_stats", "vcpu", "vcpu_topology", "vcpu_stats", "type",
      "arch", "machine", "console", "vnc.listen", "vnc.port", "emulator", "features", "networks[].type",
      "networks[].vni", "networks[].mac", "networks[].source", "networks[].model", "networks[].rd_bytes",
      "networks[].rd_packets", "networks[].rd_errors", "networks[].rd_drops", "networks[].wr_bytes",
      "networks[].wr_packets", "networks[].wr_errors", "networks[].wr_drops", "disks[].type", "disks[].name",
      "disks[].dev", "disks[].bus", "disks[].rd_req", "disks[].rd_bytes", "disks[].wr_req", "disks[].wr_bytes",
      "controllers[].type", "controllers[].model", "xml",
    ],
    "/status": [
      "cluster_name", "cluster_health.health", "cluster_health.messages[].id", "cluster_health.messages[].health_delta",
      "cluster_health.messages[].text", "node_health.*.health", "node_health.*.messages", "maintenance",
      "primary_node", "pvc_version", "upstream_ip", "nodes.total", "vms.total", "networks", "osds.total", "pools",
      "volumes", "snapshots", "resources.memory.total", "resources.memory.free", "resources.memory.used",
      "resources.memory.allocated", "resources.memory.provisioned", "resources.memory.utilization",
      "resources.cpu.total", "resources.cpu.load", "resources.cpu.allocated", "resources.cpu.utilization",
      "resources.disk.total", "resources.disk.used", "resources.disk.free", "resources.disk.utilization",
      "detail.node[].name", "detail.node[].daemon_state", "detail.node[].domain_state", "detail.vm[].uuid",
      "detail.vm[].name", "detail.vm[].state", "detail.osd", "detail.faults",
    ],
  ]

  /// The key paths of `paths` missing from `value` (see ``upstreamKeys``).
  static func missing(_ paths: [String], in value: JSONValue) -> [String] {
    paths.filter { !has(Substring($0), in: value) }
  }

  static func has(_ path: Substring, in value: JSONValue) -> Bool {
    guard !path.isEmpty else { return true }
    let key = path.prefix { $0 != "." && $0 != "[" }
    var rest = path.dropFirst(key.count)
    guard case .object(let fields) = value else { return false }
    let children: [JSONValue]
    if key == "*" {
      children = Array(fields.values)
    } else {
      guard let field = fields[String(key)] else { return false }
      if rest.hasPrefix("[]") {
        rest = rest.dropFirst(2)
        guard case .array(let elements) = field else { return false }
        children = elements
      } else {
        children = [field]
      }
    }
    if rest.hasPrefix(".") { rest = rest.dropFirst() }
    return children.allSatisfy { has(rest, in: $0) }
  }

  @Test("answers carry every key upstream's code sends, with upstream's values where they differ from the swagger")
  func upstreamKeysPresent() async throws {
    try await APITestHarness.with(vms: 4) { api in
      try await api.cluster.faults.report([FaultReport(id: "VM_FAILED_x", healthDelta: 10, message: "VM x failed")])
      for (path, keys) in Self.upstreamKeys.sorted(by: { $0.key < $1.key }) {
        let response = try await api.call(.get, path)
        #expect(response.status == 200, "GET \(path): \(response.status)")
        for element in try JSONValue.parse(response.body).elements {
          let missing = Self.missing(keys, in: element)
          #expect(missing.isEmpty, "GET \(path) lacks \(missing)")
        }
      }
      // Running VMs by name; a controller without a model says so with null.
      let node = try #require(try await api.call(.get, "/node/hv1").list?.first)
      #expect(node["running_domains"] as? [String] == [UpstreamSeeder.name(1), UpstreamSeeder.name(4)])
      let vm = try #require(try await api.call(.get, "/vm/vm0001").list?.first)
      let controllers = try #require(vm["controllers"] as? [[String: Any]])
      #expect(controllers.contains { $0["type"] as? String == "usb" && $0["model"] is NSNull })
    }
  }

  /// Values no parameter of this kind accepts.
  static func malformed(_ kind: OperationParameter.Kind) -> [String] {
    switch kind {
    case .boolean: ["maybe", "2", "truee", "\u{0}"]
    case .integer: ["x", "1.5", "-99999999999999999999", "0x10", ""]
    case .choice: ["bogus", "START", "start\u{0}"]
    case .string: ["a\u{1}b", String(repeating: "z", count: 5000), "line\nbreak"]
    case .text: ["\u{0}"]
    }
  }

  static let hostilePathValues = [
    "nothere", "..", "a%00b", "%2e%2e%2fetc", String(repeating: "n", count: 300), "x%0Ay", "'; DROP TABLE x; --",
    "<script>", "hv9",
  ]

  @Test("malformed parameters and hostile path values at every route: never a 5xx, nothing changes")
  func fuzz() async throws {
    // The DNS routes reach a real database of their own (without one they answer 503, rightly).
    let database = try await DNSTestDatabase.make()
    defer { Task { await database.drop() } }
    try await APITestHarness.with(vms: 3, database: database.settings, provisionerDatabase: database.settings) { api in
      let before = try await api.cluster.backup()
      var answered = 0
      for route in api.server.routes {
        let paths: [String] =
          route.pathParameters.isEmpty
          ? [route.path]
          : Self.hostilePathValues.map { value in
            route.pathParameters.reduce(route.path) { $0.replacingOccurrences(of: "{\($1)}", with: value) }
          }
        for path in paths {
          // Every declared parameter malformed in turn, the others left out; then all at once.
          var attempts: [[(String, String)]] = route.parameters.flatMap { spec in
            Self.malformed(spec.kind).map { [(spec.name, $0)] }
          }
          attempts.append(route.parameters.map { ($0.name, Self.malformed($0.kind)[0]) })
          // Unknown parameters are ignored: at a route that needs none (a cluster-wide run such as
          // POST /vm/autobackup) the request is well-formed and acts, so it is left out there.
          let wellFormedWithout =
            route.method != .get && route.pathParameters.isEmpty && !route.parameters.contains(where: \.required)
          if !wellFormedWithout { attempts.append([("unknown", "\u{7f}"), ("limit", "(((")]) }
          for parameters in attempts {
            for form in [false, true] where form == false || route.method != .get {
              let response = try await api.call(route.method, path, parameters, form: form)
              answered += 1
              #expect(
                response.status < 500,
                "\(route.method) \(path) \(parameters.map(\.0)): \(response.status) \(response.text)")
            }
          }
        }
      }
      #expect(answered > 500)
      #expect(try await api.cluster.backup().sameData(as: before), "a malformed request changed the cluster")
      #expect(try await api.cluster.dns.zones(limit: nil).isEmpty, "a malformed request made a DNS zone")
      #expect(try await api.cluster.provisioner.profiles(limit: nil).isEmpty, "a malformed request made a profile")
      #expect(
        try await api.cluster.provisioner.templates(limit: nil).isEmpty)
    }
  }
}
