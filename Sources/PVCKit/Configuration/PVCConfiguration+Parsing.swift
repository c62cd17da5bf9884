import Foundation

extension PVCConfiguration {
  init(_ root: ConfigurationReader) throws {
    file = root.file

    let path = try root.section("path")
    paths = Paths(
      pluginDirectory: try path.string("plugin_directory", default: "/usr/share/pvc/plugins"),
      dynamicDirectory: try path.string("dynamic_directory"),
      systemLogDirectory: try path.string("system_log_directory"),
      consoleLogDirectory: try path.string("console_log_directory"),
      cephDirectory: try path.string("ceph_directory"))

    let subsystem = try root.section("subsystem")
    subsystems = Subsystems(
      hypervisor: try subsystem.bool("enable_hypervisor", default: true),
      networking: try subsystem.bool("enable_networking", default: true),
      storage: try subsystem.bool("enable_storage", default: true),
      worker: try subsystem.bool("enable_worker", default: true),
      api: try subsystem.bool("enable_api", default: true),
      prometheus: try subsystem.bool("enable_prometheus", default: true))

    cluster = try Self.cluster(root.section("cluster"))

    let database = try root.section("database")
    let zk = try database.section("zookeeper")
    var credentials: ZooKeeperCredentials?
    if let auth = try zk.optionalSection("auth") {
      do {
        credentials = try ZooKeeperCredentials(
          username: try auth.string("username"), password: try auth.string("password"))
      } catch is ZooKeeperError {
        throw auth.error("username", "expected a user name without ':' and a password, neither empty")
      }
    }
    zookeeper = ZooKeeperSettings(
      port: try zk.int("port", in: 1...65535),
      hosts: try zk.optionalList("hosts").enumerated().map { index, entry in
        try Self.checkedHostPort(entry, reader: zk, key: "hosts[\(index)]")
      }, credentials: credentials)
    dnsDatabase = try Self.dnsDatabase(database.optionalSection("mariadb"))

    let timer = try root.section("timer")
    timers = Timers(
      vmShutdownTimeout: try timer.int("vm_shutdown_timeout", default: 180, in: 1...86400),
      keepaliveInterval: try timer.int("keepalive_interval", default: 5, in: 1...3600),
      monitoringInterval: try timer.int("monitoring_interval", default: 15, in: 1...86400))

    let fence = try root.section("fencing")
    let intervals = try fence.section("intervals")
    let actions = try fence.section("actions")
    let ipmi = try fence.section("ipmi")
    // Upstream reads `suicide_interval` while its sample file says `suicide_intervals`: accept both.
    let suicideKey = intervals.has("suicide_intervals") ? "suicide_intervals" : "suicide_interval"
    fencing = Fencing(
      disableOnIPMIFailure: try fence.bool("disable_on_ipmi_failure"),
      fenceIntervals: try intervals.int("fence_intervals", default: 6, in: 1...1000),
      suicideIntervals: try intervals.int(suicideKey, default: 0, in: 0...1000),
      savingThrows: try intervals.int("saving_throws", default: 6, in: 0...1000),
      successfulFence: try actions.choice("successful_fence", default: FenceAction.migrate),
      failedFence: try actions.choice("failed_fence", default: FenceAction.none),
      ipmiHostname: try ipmi.string("hostname"),
      ipmiUsername: try ipmi.string("username"),
      ipmiPassword: try ipmi.string("password"),
      watchdog: try fence.optionalSection("watchdog").map { watchdog in
        Watchdog(
          device: try Self.checkedAbsolutePath(watchdog, "device"),
          timeout: try watchdog.int("timeout", default: 10, in: 1...600))
      })

    let migration = try root.section("migration")
    targetSelector = try migration.choice("target_selector", default: TargetSelector.mem)
    flushWindow = try migration.int("flush_window", default: 4, in: 1...64)

    let log = try root.section("logging")
    logging = Logging(
      debug: try log.bool("debug_logging", default: false),
      fileLogging: try log.bool("file_logging", default: false),
      stdoutLogging: try log.bool("stdout_logging", default: true),
      zookeeperLogging: try log.bool("zookeeper_logging", default: true),
      colours: try log.bool("log_colours", default: false),
      dates: try log.bool("log_dates", default: true),
      keepalives: try log.bool("log_keepalives", default: false),
      clusterDetails: try log.bool("log_cluster_details", default: false),
      monitoringDetails: try log.bool("log_monitoring_details", default: false),
      consoleLogLines: try log.int("console_log_lines", default: 1000, in: 0...1_000_000),
      nodeLogLines: try log.int("node_log_lines", default: 2000, in: 0...1_000_000))

    let guest = try root.section("guest_networking")
    guestNetworking = GuestNetworking(
      bridgeDevice: try guest.string("bridge_device"),
      bridgeMTU: try guest.int("bridge_mtu", in: 576...65535),
      sriovEnabled: try guest.bool("sriov_enable", default: false),
      sriovDevices: try guest.sections("sriov_device").map { device in
        SRIOVDevice(
          device: try device.string("device"), mtu: try device.int("mtu", in: 576...65535),
          vfCount: try device.int("vfcount", in: 0...256))
      },
      bgpASN: try guest.int("bgp_asn", default: 65500, in: 1...4_294_967_294))

    let cephSection = try root.section("ceph")
    ceph = Ceph(
      configFile: try cephSection.string("ceph_config_file"),
      keyringFile: try cephSection.string("ceph_keyring_file"),
      monitorPort: try cephSection.int("monitor_port", in: 1...65535),
      secretUUID: try cephSection.string("secret_uuid"),
      monitorHosts: try cephSection.optionalList("monitor_hosts"),
      cluster: try cephSection.string("ceph_cluster", default: "ceph"))

    powerDNS = try Self.powerDNS(root.optionalSection("powerdns"), cluster: cluster)
    metadataPort = try root.optionalSection("metadata")?.int("listen_port", default: 80, in: 1...65535) ?? 80
    api = try Self.api(root.section("api"))
    vmPolicy = DomainPolicy(
      allowHostAccess: try root.optionalSection("vm_policy")?.bool("allow_host_access", default: false) ?? false)
    autobackup = try Self.autobackup(root.optionalSection("autobackup"))
    automirror = try Self.automirror(root.optionalSection("automirror"))
    otherClusters = try Self.otherClusters(root.optionalSection("web"))
  }

  private static func otherClusters(_ section: ConfigurationReader?) throws -> [OtherCluster] {
    guard let section else { return [] }
    var seen: Set<String> = []
    return try section.sections("clusters").map { entry in
      let name = try entry.string("name")
      guard (1...64).contains(name.count),
        name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
      else { throw entry.error("name", "expected 1 to 64 letters, digits, '.', '_' or '-', found '\(name)'") }
      guard seen.insert(name).inserted else { throw entry.error("name", "'\(name)' is named twice") }
      let address = try entry.string("address")
      guard !address.isEmpty, address.count <= 1000, !address.contains(where: { $0.isWhitespace || $0 == "\0" }) else {
        throw entry.error("address", "expected an http(s):// API address or host:port[,host:port...]")
      }
      if address.hasPrefix("http://") || address.hasPrefix("https://") {
        guard URL(string: address)?.host != nil else { throw entry.error("address", "'\(address)' is not a URL") }
      }
      let key = try entry.string("key", default: "")
      return OtherCluster(name: name, address: address, key: key.isEmpty ? nil : key)
    }
  }

  private static func cluster(_ section: ConfigurationReader) throws -> Cluster {
    let allNodes = try section.stringList("all_nodes")
    let coordinators = try section.stringList("coordinator_nodes")
    for (index, name) in (allNodes + coordinators).enumerated() where !isHostName(name) {
      let key = index < allNodes.count ? "all_nodes[\(index)]" : "coordinator_nodes[\(index - allNodes.count)]"
      throw section.error(key, "'\(name)' is not a valid host name")
    }
    if let stray = coordinators.first(where: { !allNodes.contains($0) }) {
      throw section.error("coordinator_nodes", "'\(stray)' is not listed in all_nodes")
    }
    if coordinators.isEmpty { throw section.error("coordinator_nodes", "at least one coordinator is required") }
    let networks = try section.section("networks")
    return Cluster(
      name: try section.string("name"), allNodes: allNodes, coordinatorNodes: coordinators,
      upstream: try coreNetwork(networks.section("upstream")),
      cluster: try coreNetwork(networks.section("cluster")),
      storage: try coreNetwork(networks.section("storage")))
  }

  private static func coreNetwork(_ section: ConfigurationReader) throws -> CoreNetwork {
    let ipv4 = try section.section("ipv4")
    let netmask = try ipv4.int("netmask", in: 1...32)
    let network = try ipv4.address("network_address")
    let floating = try ipv4.address("floating_address")
    guard floating.isIn(network: network, prefix: netmask) else {
      throw ipv4.error("floating_address", "\(floating) is not inside \(network)/\(netmask)")
    }
    var gateway: IPv4Address?
    if ipv4.has("gateway_address") {
      let address = try ipv4.address("gateway_address")
      guard address.isIn(network: network, prefix: netmask) else {
        throw ipv4.error("gateway_address", "\(address) is not inside \(network)/\(netmask)")
      }
      gateway = address
    }
    let selectionText = try section.string("node_ip_selection")
    let selection: NodeIPSelection
    if selectionText == "by-id" {
      selection = .byID
    } else if let fixed = IPv4Address(selectionText), fixed.isIn(network: network, prefix: netmask) {
      selection = .fixed(fixed)
    } else {
      throw section.error(
        "node_ip_selection", "expected 'by-id' or an address inside \(network)/\(netmask), found '\(selectionText)'")
    }
    return CoreNetwork(
      domain: try section.string("domain"), device: try section.string("device"),
      mtu: try section.int("mtu", in: 576...65535), networkAddress: network, netmask: netmask,
      floatingAddress: floating, gatewayAddress: gateway, nodeIPSelection: selection)
  }

  private static func api(_ section: ConfigurationReader) throws -> API {
    let listen = try section.section("listen")
    let auth = try section.section("authentication")
    let ssl = try section.section("ssl")
    // On unless switched off explicitly (and then the API listens on loopback only).
    let enabled = try auth.bool("enabled", default: true)
    let tokens = try section.sections("token").map { entry in
      Token(
        description: try entry.string("description", default: ""), token: try entry.string("token"),
        role: try entry.choice("role", default: AccessRole.administrator))
    }
    let tokenFile = try auth.has("token_file") ? checkedAbsolutePath(auth, "token_file") : API.defaultTokenFile
    let sslEnabled = try ssl.bool("enabled", default: false)
    let certificate = try ssl.string("certificate", default: "")
    let privateKey = try ssl.string("private_key", default: "")
    if sslEnabled && certificate.isEmpty {
      throw ssl.error("certificate", "SSL is enabled but no certificate is given")
    }
    if sslEnabled && privateKey.isEmpty { throw ssl.error("private_key", "SSL is enabled but no private key is given") }
    return API(
      listenAddress: try listen.string("address"), listenPort: try listen.int("port", in: 1...65535),
      authenticationEnabled: enabled, secretKey: try auth.string("secret_key", default: ""), tokens: tokens,
      tokenFile: tokenFile, sslEnabled: sslEnabled, certificate: certificate, privateKey: privateKey)
  }

  private static func checkedAbsolutePath(_ reader: ConfigurationReader, _ key: String) throws -> String {
    let path = try reader.string(key)
    guard path.hasPrefix("/"), !path.contains("\0"), !path.split(separator: "/").contains("..") else {
      throw reader.error(key, "expected an absolute path, found '\(path)'")
    }
    return path
  }

  static func checkedHostPort(_ entry: String, reader: ConfigurationReader, key: String) throws -> String {
    let parts = entry.split(separator: ":")
    guard parts.count == 2, isHostName(String(parts[0])) || IPv4Address(String(parts[0])) != nil,
      let port = Int(parts[1]), (1...65535).contains(port)
    else { throw reader.error(key, "expected host:port, found '\(entry)'") }
    return entry
  }

  /// Whether `name` is a valid DNS host name (letters, digits, hyphens, dots).
  static func isHostName(_ name: String) -> Bool {
    guard !name.isEmpty, name.count <= 253 else { return false }
    return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
      !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
        && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
  }
}

extension ConfigurationReader {
  /// Whether the key is present (and not null).
  func has(_ key: String) -> Bool {
    guard let value = node[key] else { return false }
    return !(value is NSNull)
  }

  /// An optional list of scalars (empty when absent).
  func optionalList(_ key: String) throws -> [String] {
    has(key) ? try stringList(key) : []
  }
}
