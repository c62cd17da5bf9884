import Foundation
import Logging
import Synchronization

/// Runs a node's health plugins (pvcd's part of upstream's health daemon): every monitoring interval, each
/// plugin that is due, all at once, each within its time limit; then writes each result to
/// `/nodes/<node>/monitoring_data/<plugin>`, the names to `monitoring_plugins` and the node's health to
/// `monitoring_health`, as upstream (the first round an interval after the start, at most 10 s). A check that
/// hangs is left behind (it is cancelled and reported failed; it is not run again until it ends), so it never holds
/// up the others, the next round or the keepalive.
struct HealthRunner: Sendable {
  let zookeeper: ZooKeeper
  let node: String
  /// The built-in plugins (those of pvc.conf's plugin directory are found each round).
  let plugins: [any HealthPlugin]
  /// pvc.conf's `path.plugin_directory`: administrators' executable plugins.
  var pluginDirectory: String?
  var interval: Duration = .seconds(15)
  let logger: Logger
  /// Whether each result is logged (pvc.conf's `logging.log_monitoring_details`).
  var logDetails = false

  /// The checks still running from an earlier round, by plugin name.
  private let running = SharedState<Set<String>>([])

  init(
    zookeeper: ZooKeeper, node: String, plugins: [any HealthPlugin], pluginDirectory: String? = nil,
    interval: Duration = .seconds(15), logger: Logger, logDetails: Bool = false
  ) {
    self.pluginDirectory = pluginDirectory
    self.zookeeper = zookeeper
    self.node = node
    var seen: Set<String> = []
    // One plugin per name: a second of the same name would overwrite the first's results.
    self.plugins = plugins.filter { plugin in
      guard let name = HealthPluginName.checked(plugin.name), seen.insert(name).inserted else {
        logger.warning("health plugin '\(plugin.name)' skipped: its name is taken or not usable")
        return false
      }
      return true
    }
    self.interval = interval
    self.logger = logger
    self.logDetails = logDetails
  }

  /// The plugins of this round: the built-in ones and the executables now in the plugin directory.
  func current() -> [any HealthPlugin] {
    guard let pluginDirectory else { return plugins }
    // An executable must end within a round.
    let timeout = min(max(interval, .seconds(5)), .seconds(60))
    return plugins
      + ExecutableHealthPlugin.found(
        in: pluginDirectory, node: node, taken: Set(plugins.map(\.name)), timeout: timeout)
  }

  /// Runs rounds until cancelled.
  func run() async {
    var last: [String: ContinuousClock.Instant] = [:]
    var results: [String: HealthResult] = [:]
    var names: [String] = []
    // The first round waits a little (an interval, at most 10 s): a starting daemon registers and beats first.
    try? await Task.sleep(for: min(interval, .seconds(10)))
    while !Task.isCancelled {
      let plugins = current()
      if plugins.map(\.name) != names {
        names = plugins.map(\.name)
        results = results.filter { names.contains($0.key) }
        await prepare(names)
      }
      let now = ContinuousClock.now
      let due = plugins.filter { plugin in
        guard let previous = last[plugin.name] else { return true }
        return now - previous >= (plugin.interval ?? interval) - .milliseconds(100)
      }
      for plugin in due { last[plugin.name] = now }
      for result in await round(due) { results[result.name] = result }
      if await !publish(results) { await prepare(names) }
      try? await Task.sleep(for: interval)
    }
  }

  /// One check of each plugin, at once; each bounded by its time limit.
  func round(_ plugins: [any HealthPlugin]) async -> [HealthResult] {
    await withTaskGroup(of: HealthResult.self) { group in
      for plugin in plugins {
        group.addTask { await self.check(plugin) }
      }
      var results: [HealthResult] = []
      for await result in group { results.append(result) }
      return results.sorted { $0.name < $1.name }
    }
  }

  /// One check of one plugin, never longer than its time limit.
  func check(_ plugin: any HealthPlugin) async -> HealthResult {
    let name = plugin.name
    let started = ContinuousClock.now
    let wasIdle = running.withLock { $0.insert(name).inserted }
    guard wasIdle else {
      return HealthResult(name: name, check: .failed("the previous check has not ended"), runtime: 0)
    }
    let outcome = await Self.bounded(plugin.timeout) {
      defer { _ = running.withLock { $0.remove(name) } }
      return try await plugin.check()
    }
    let check: HealthCheck
    switch outcome {
    case .finished(let result): check = result
    case .threw(let error): check = .failed("\(error)")
    case .timedOut: check = .failed("it did not finish within \(plugin.timeout)")
    }
    let runtime = Double((ContinuousClock.now - started) / .milliseconds(1)) / 1000
    if logDetails || check.delta > 0 {
      logger.log(
        level: check.delta > 0 ? .warning : .info,
        "health plugin \(name): \(check.delta > 0 ? "-\(check.delta) " : "")\(check.message)")
    }
    return HealthResult(name: name, check: check, runtime: runtime)
  }

  /// How a bounded piece of work ended.
  enum Bounded<T: Sendable>: Sendable {
    case finished(T)
    case threw(String)
    case timedOut
  }

  /// Runs `work` in a task of its own and waits at most `limit` for it. Unlike a task group, which waits for its
  /// children, a piece of work that ignores cancellation (a call blocked in C) is left to end by itself.
  static func bounded<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async
    -> Bounded<T>
  {
    let done = Mutex(false)
    return await withCheckedContinuation { (continuation: CheckedContinuation<Bounded<T>, Never>) in
      let resume: @Sendable (Bounded<T>) -> Void = { outcome in
        let first = done.withLock { done in
          defer { done = true }
          return !done
        }
        if first { continuation.resume(returning: outcome) }
      }
      let worker = Task {
        do { resume(.finished(try await work())) } catch { resume(.threw("\(error)")) }
      }
      Task {
        try? await Task.sleep(for: limit)
        resume(.timedOut)
        worker.cancel()
      }
    }
  }

  /// The plugins' names, their entries, and a clean slate for plugins this node no longer runs.
  private func prepare(_ names: [String]) async {
    guard let ref = try? Layout.node(node) else { return }
    let base = ref.path(.monitoringData)
    try? await zookeeper.ensurePath(base)
    for old in (try? await zookeeper.children(base)) ?? [] where !names.contains(old) {
      try? await zookeeper.deleteRecursively(base + "/" + old)
    }
    for name in names {
      guard let plugin = try? Layout.monitoringPlugin(name, node: node) else { continue }
      let initial: [MonitoringPluginKey: String] = [
        .root: name, .lastRun: "0", .healthDelta: "0", .message: "Not checked yet", .data: "{}", .runtime: "0",
      ]
      for key in MonitoringPluginKey.allCases {
        _ = try? await zookeeper.create(plugin.path(key), initial[key] ?? "")
      }
    }
    _ = try? await zookeeper.set(ref.path(.monitoringPlugins), names.joined(separator: " "))
  }

  /// Writes every plugin's latest result and the node's health in one transaction; false when it could not.
  private func publish(_ results: [String: HealthResult]) async -> Bool {
    guard let ref = try? Layout.node(node) else { return false }
    var operations: [ZooKeeperOperation] = []
    for result in results.values.sorted(by: { $0.name < $1.name }) {
      guard let plugin = try? Layout.monitoringPlugin(result.name, node: node) else { continue }
      let data = (try? JSONEncoder().encode(result.check.data)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
      operations += [
        .set(plugin.path(.lastRun), String(result.lastRun)),
        .set(plugin.path(.healthDelta), String(result.check.delta)),
        .set(plugin.path(.message), result.check.message),
        .set(plugin.path(.data), data),
        .set(plugin.path(.runtime), String(format: "%.3f", result.runtime)),
      ]
    }
    let health = HealthCheck.nodeHealth(results.values.map(\.check.delta))
    operations.append(.set(ref.path(.monitoringHealth), String(health)))
    do {
      _ = try await zookeeper.multi(operations)
      return true
    } catch {
      logger.warning("health results not written: \(error)")
      return false
    }
  }
}

/// One plugin's latest check as the runner writes it.
struct HealthResult: Sendable, Hashable {
  var name: String
  var check: HealthCheck
  /// Seconds the check took.
  var runtime: Double
  /// When it ran, in seconds since 1970.
  var lastRun = Int(Date().timeIntervalSince1970)
}
