import Foundation
import HTTPTypes
import Hummingbird
import PVCKit
import PVCKitServer

extension WebRoutes {
  /// The longest an event stream stays open (the browser's EventSource opens another 2 s later): a graceful stop
  /// of pvcweb waits for open streams, so they are kept short.
  static let eventStreamLimit = 60

  /// Server-sent events for live pages: `/events` sends `change` whenever what the pages show has changed (the
  /// cluster's status, its nodes', VMs' and tasks' states, read from PVCKit's watch-fed views once a second),
  /// with a digest of it as the event's data; `/static/pvc.js` follows it.
  func registerEvents(on router: Router<PVCRequestContext>) {
    router.get("/static/pvc.js") { _, _ in
      Self.response(LiveScript.js, type: "text/javascript; charset=utf-8", cache: true)
    }
    router.get("/events") { request, _ in
      guard session(request) != nil else { return Response(status: .unauthorized) }
      let asked = RequestParameters(query: request.uri.query).first("seconds").flatMap { Int($0) }
      let seconds = min(max(asked ?? Self.eventStreamLimit, 1), Self.eventStreamLimit)
      let cluster = self.cluster
      var headers = HTTPFields()
      headers[.contentType] = "text/event-stream"
      headers[.cacheControl] = "no-store"
      headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
      return Response(
        status: .ok, headers: headers,
        body: ResponseBody { writer in
          try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
          let deadline = ContinuousClock.now + .seconds(seconds)
          var last = ""
          var number = 0
          var quiet = 0
          while ContinuousClock.now < deadline {
            let digest = await Self.digest(of: cluster)
            if digest != last {
              number += 1
              try await writer.write(ByteBuffer(string: "id: \(number)\nevent: change\ndata: \(digest)\n\n"))
              last = digest
              quiet = 0
            } else if quiet >= 4 {
              // A comment now and then: a browser that went away is noticed (the write fails) within seconds.
              try await writer.write(ByteBuffer(string: ": still here\n\n"))
              quiet = 0
            } else {
              quiet += 1
            }
            try await Task.sleep(for: .seconds(1))
          }
          try await writer.finish(nil)
        })
    }
  }

  /// What the pages show, reduced to a short digest (a change of any of it changes the digest).
  static func digest(of cluster: PVCCluster) async -> String {
    var parts: [String] = []
    if let status = try? await cluster.status() {
      parts.append("\(status.clusterHealth.health) \(status.primaryNode ?? "-") \(status.maintenance)")
    }
    for node in (try? await cluster.nodes.list()) ?? [] {
      parts.append(
        "\(node.name) \(node.daemonState.rawValue) \(node.coordinatorState.rawValue) \(node.domainState.rawValue) \(node.health ?? -1)"
      )
    }
    for vm in (try? await cluster.vms.list()) ?? [] {
      parts.append("\(vm.name) \(vm.state.rawValue) \(vm.node)")
    }
    for task in (try? await cluster.tasks.list()) ?? [] {
      parts.append("\(task.id) \(task.state.rawValue) \(task.current)/\(task.total) \(task.status)")
    }
    if let faults = try? await cluster.faults.list() {
      parts.append(faults.map { "\($0.id) \($0.status)" }.joined(separator: ","))
    }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: short and stable, not a secret
    for byte in parts.joined(separator: "\n").utf8 {
      hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
    return String(hash, radix: 16)
  }
}
