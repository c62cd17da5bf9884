import Foundation

/// `lbvt`: the node's libvirt daemon answers (upstream's plugin of the same name); −50 when it does not, since
/// no VM can start, stop or move on this node then.
struct LibvirtHealthPlugin: HealthPlugin {
  let name = "lbvt"
  let libvirt: LibvirtConnection

  func check() async throws -> HealthCheck {
    do {
      let domains = try await libvirt.activeDomains()
      return HealthCheck(
        delta: 0, message: "libvirt answers with \(domains.count) running domains",
        data: .object(["domains": .integer(domains.count)]))
    } catch {
      return HealthCheck(delta: 50, message: "libvirt does not answer: \(error)")
    }
  }
}

/// `zkpr`: the node's ZooKeeper session and each server of the ensemble (upstream's `zkpr`): a server that does
/// not answer `ruok` with `imok`, −10 each (the ensemble holds while a majority answers); the node's own
/// session not connected, −50.
struct ZooKeeperHealthPlugin: HealthPlugin {
  let name = "zkpr"
  let zookeeper: ZooKeeper
  /// The ensemble's servers, `host:port`.
  let servers: [String]

  func check() async throws -> HealthCheck {
    var delta = 0
    var problems: [String] = []
    var data: [String: JSONValue] = [:]
    let connected = (try? await zookeeper.exists("/")) != nil
    data["session"] = .string(connected ? "connected" : "not connected")
    if !connected {
      delta += 50
      problems.append("this node's ZooKeeper session is not connected")
    }
    await withTaskGroup(of: (String, String?).self) { group in
      for server in servers {
        group.addTask { (server, await FourLetterWord.ask("ruok", server: server)) }
      }
      for await (server, answer) in group {
        data[server] = .string(answer ?? "no answer")
        if answer != "imok" {
          delta += 10
          problems.append("ZooKeeper server \(server) \(answer.map { "answered \($0)" } ?? "does not answer")")
        }
      }
    }
    return HealthCheck(
      delta: delta,
      message: problems.isEmpty
        ? "ZooKeeper: session connected, \(servers.count) servers answer"
        : problems.sorted()
          .joined(separator: "; "),
      data: .object(data))
  }
}

/// `pvcd`: the daemon's own heartbeat: its keepalive written within three intervals (−50 otherwise: the
/// cluster will soon take the node for dead).
struct DaemonHealthPlugin: HealthPlugin {
  let name = "pvcd"
  let zookeeper: ZooKeeper
  let node: String
  let keepaliveInterval: Duration

  func check() async throws -> HealthCheck {
    let ref = try Layout.node(node)
    guard let text = try await zookeeper.string(ref.path(.keepalive)), let stamp = Int(text) else {
      return HealthCheck(delta: 50, message: "no keepalive recorded")
    }
    let age = Int(Date().timeIntervalSince1970) - stamp
    let limit = Int(keepaliveInterval / .seconds(1)) * 3
    let data: JSONValue = .object(["keepalive_age_seconds": .integer(age)])
    if age > limit {
      return HealthCheck(delta: 50, message: "the last keepalive is \(age) s old", data: data)
    }
    return HealthCheck(delta: 0, message: "keepalive \(age) s ago", data: data)
  }
}

/// `ipmi`: the node's own BMC answers (upstream's `ipmi`): −10 when it does not, because the node could not be
/// fenced if it failed.
struct IPMIHealthPlugin: HealthPlugin {
  let name = "ipmi"
  let client: IPMIClient
  var timeout: Duration { .seconds(20) }

  func check() async throws -> HealthCheck {
    do {
      let power = try await client.powerStatus()
      return HealthCheck(
        delta: 0, message: "BMC answers: power \(power)", data: .object(["power": .string("\(power)")]))
    } catch {
      return HealthCheck(delta: 10, message: "BMC does not answer (this node could not be fenced): \(error)")
    }
  }
}
