import Foundation
import PVCKit
import PVCKitFixtures
import Testing

/// The Debian packages (`Scripts/deb.sh build`) installed into a clean Debian 12 root made by debootstrap
/// (`Scripts/deb.sh root`), as `make test`'s package phase prepares them: `PVCKIT_DEB_ROOT` names the root.
/// Nothing of the Swift toolchain is in it. Node hv4 (started by that phase) runs the installed pvcd from it.
@Suite(
  "Debian packages in a clean root", .serialized,
  .enabled(if: ProcessInfo.processInfo.environment["PVCKIT_DEB_ROOT"] != nil, "needs make test's package phase"))
struct PackageInstallTests {
  static let root = ProcessInfo.processInfo.environment["PVCKIT_DEB_ROOT"] ?? "/nonexistent"
  static let script = TestServices.root.appendingPathComponent("Scripts/deb.sh").path
  static let packages = ["pvckit-common", "pvc", "pvcd", "pvcapi", "pvcweb"]
  static let units = ["pvcnoded", "pvcapid", "pvcwebd"]

  /// Runs `command` (a shell command line of the test's own) inside the root.
  static func inRoot(_ command: String) throws -> (status: Int32, output: String) {
    try TestServices.runTool(script, ["chroot", root, "sh", "-c", command])
  }

  @Test("the installed programs run in the root, which has no Swift toolchain")
  func programsRun() throws {
    let swift = try Self.inRoot("command -v swift swiftc || ls -d /opt/swift /usr/share/swift 2>/dev/null || echo none")
    #expect(swift.output.trimmingCharacters(in: .whitespacesAndNewlines) == "none", "\(swift.output)")
    let version = try Self.inRoot("pvc --version")
    #expect(version.status == 0 && version.output.contains("(PVCKit) \(PVCKitVersion.string)"), "\(version.output)")
    for program in ["pvcd", "pvcapi", "pvcweb"] {
      let help = try Self.inRoot("/usr/sbin/\(program) --help")
      #expect(help.status == 0 && help.output.contains("--check-config"), "\(program): \(help.output)")
    }
    // Every library found, the Swift runtime from pvckit-common, the C libraries from Debian's packages.
    let libraries = try Self.inRoot("ldd /usr/sbin/pvcd")
    #expect(!libraries.output.contains("not found"), "\(libraries.output)")
    #expect(libraries.output.contains("/usr/lib/pvckit/libswiftCore.so"), "\(libraries.output)")
    for library in ["libzookeeper_mt.so", "libvirt.so", "librbd.so", "libmariadb.so"] {
      #expect(libraries.output.contains(library), "pvcd does not link \(library)")
    }
    let depends = try Self.inRoot("dpkg-query -W -f '${Depends}' pvcd")
    for package in ["pvckit-common", "libzookeeper-mt2", "libvirt0", "librbd1", "libmariadb3", "frr", "nftables"] {
      #expect(depends.output.contains(package), "pvcd's Depends lack \(package): \(depends.output)")
    }
  }

  @Test("systemd-analyze verify passes on every unit the packages install")
  func unitsVerify() throws {
    for unit in Self.units {
      let verify = try Self.inRoot(
        "SYSTEMD_LOG_LEVEL=notice systemd-analyze verify /lib/systemd/system/\(unit).service")
      #expect(verify.status == 0, "\(unit): \(verify.output)")
      #expect(!verify.output.contains(unit + ".service:"), "\(unit) has warnings: \(verify.output)")
    }
    // Hardening, scored by systemd against a unit that only runs the program (as upstream's pvcnoded unit does).
    let plain = try Self.inRoot(
      """
      printf '[Service]\\nExecStart=/usr/sbin/pvcd\\n' > /tmp/plain.service &&
      systemd-analyze security --offline=yes /tmp/plain.service | tail -1
      """)
    let baseline = try #require(Self.exposure(plain.output), "\(plain.output)")
    for unit in Self.units {
      let score = try Self.inRoot(
        "systemd-analyze security --offline=yes /lib/systemd/system/\(unit).service | tail -1")
      let exposure = try #require(Self.exposure(score.output), "\(score.output)")
      #expect(exposure < baseline - 1, "\(unit): exposure \(exposure), unhardened \(baseline)")
      if unit != "pvcnoded" { #expect(exposure <= 5, "\(unit): exposure \(exposure)") }
    }
  }

  /// The number in systemd-analyze security's last line ("Overall exposure level for X: 3.9 OK").
  static func exposure(_ line: String) -> Double? {
    line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
  }

  @Test("the shipped pvc.conf configures nothing, and the packages' scripts start no daemon against it")
  func unconfiguredNotStarted() throws {
    let check = try Self.inRoot("/usr/sbin/pvcd --config /etc/pvc/pvc.conf --check-config")
    #expect(check.status != 0)
    #expect(check.output.contains("/etc/pvc/pvc.conf"), "\(check.output)")
    // There is no init in the root: the postinst is run by hand as dpkg would, with a systemctl that
    // records what it is asked (the one piece of systemd that cannot run here) on the PATH before the real one.
    let record = "/tmp/systemctl.calls"
    let setup = try Self.inRoot(
      """
      mkdir -p /run/systemd/system /usr/local/sbin && rm -f \(record) &&
      printf '#!/bin/sh\\necho "$*" >> \(record)\\n[ "$1" = is-active ] && exit 3\\nexit 0\\n' > /usr/local/sbin/systemctl &&
      cp /usr/local/sbin/systemctl /usr/local/sbin/deb-systemd-helper && chmod 755 /usr/local/sbin/*
      """)
    #expect(setup.status == 0, "\(setup.output)")
    defer { _ = try? Self.inRoot("rm -rf /run/systemd /usr/local/sbin/systemctl /usr/local/sbin/deb-systemd-helper") }
    let first = try Self.inRoot("/var/lib/dpkg/info/pvcd.postinst configure '' && cat \(record)")
    #expect(first.status == 0, "\(first.output)")
    #expect(first.output.contains("not configured yet"), "\(first.output)")
    #expect(first.output.contains("enable pvcnoded.service"), "\(first.output)")
    #expect(!first.output.contains("start pvcnoded.service"), "started against the sample: \(first.output)")

    // Configured (the sample with its settings uncommented): started.
    let configured = try Self.inRoot(
      """
      cp /etc/pvc/pvc.conf /tmp/pvc.conf.orig && sed -i 's/^#\\([^#]\\)/\\1/' /etc/pvc/pvc.conf && rm -f \(record) &&
      /var/lib/dpkg/info/pvcd.postinst configure '' && cat \(record); status=$?; cp /tmp/pvc.conf.orig /etc/pvc/pvc.conf;
      exit $status
      """)
    #expect(configured.status == 0, "\(configured.output)")
    #expect(configured.output.contains("start pvcnoded.service"), "\(configured.output)")
  }

  @Test("the installed pvcd joins the simulated cluster as a fourth node and runs a VM")
  func fourthNode() async throws {
    let configuration = SimulatedNodeConfiguration.text(nodeNet: NodeCluster.nodeNet, nodes: 4)
    try await NodeCluster.with(configuration: configuration) { nodes in
      // The node's configuration where Debian keeps it, in the root.
      try configuration.write(toFile: Self.root + "/etc/pvc/pvc.conf", atomically: true, encoding: .utf8)
      defer {
        try? FileManager.default.removeItem(atPath: Self.root + "/etc/pvc/pvc.conf")
        try? FileManager.default.copyItem(
          atPath: Self.root + "/usr/share/doc/pvckit-common/pvc.sample.conf", toPath: Self.root + "/etc/pvc/pvc.conf")
      }
      try nodes.startDaemon(
        "hv4",
        command: [
          Self.script, "chroot", Self.root, "/usr/sbin/pvcd", "--config", "/etc/pvc/pvc.conf", "--zookeeper",
          nodes.hosts, "--node", "hv4", "--libvirt-uri", SimulatedNodes.libvirtURI("hv4"), "--auto-ready",
        ])
      let zk = nodes.cluster.zookeeper!
      let joined = try await eventually(timeout: .seconds(60)) {
        (try? await zk.get(try Layout.node("hv4").path(.daemonState)))?.string == "run"
      }
      #expect(joined, "hv4 did not reach run: \(nodes.daemonLog("hv4").suffix(2000))")
      // The daemon is the installed binary, running in the root (not the test build's).
      let pidFile = "\(SimulatedNodes.state)/nodes/hv4/pvcd-\(nodes.tag).pid"
      let pid = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
      let rootOfDaemon = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/root")
      #expect(
        URL(fileURLWithPath: rootOfDaemon).standardizedFileURL == URL(fileURLWithPath: Self.root).standardizedFileURL)
      let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
      #expect(
        executable == URL(fileURLWithPath: Self.root + "/usr/sbin/pvcd").standardizedFileURL.path, "\(executable)")
      let info = try await nodes.cluster.nodes.info("hv4")
      #expect(info.pvcVersion.contains(PVCKitVersion.string), "\(info.pvcVersion)")

      let uuid = UUID().uuidString.lowercased()
      _ = try await nodes.cluster.vms.define(
        VMDefinition(
          xml: TestGuests.xml(name: "packaged-\(uuid.prefix(8))", uuid: uuid), node: "hv4", initialState: .start))
      let libvirt = try await NodeCluster.libvirt("hv4")
      let running = try await eventually(timeout: .seconds(60)) {
        try await libvirt.activeDomains().contains { $0.uuid == uuid && $0.state.isActive }
      }
      #expect(running, "the VM does not run on hv4: \(nodes.daemonLog("hv4").suffix(2000))")
      let vm = try await nodes.cluster.vms.info(uuid)
      #expect(vm.node == "hv4")
      try? await libvirt.destroy(uuid)
      await libvirt.close()
    }
  }

  @Test("removal keeps the configuration (Debian policy), purge removes it; installed again afterwards")
  func removeAndPurge() throws {
    let names = Self.packages.joined(separator: " ")
    let remove = try Self.inRoot(
      """
      echo '# edited by the administrator' >> /etc/pvc/pvc.conf &&
      DEBIAN_FRONTEND=noninteractive apt-get remove -y -q \(names) >/dev/null &&
      for f in /etc/pvc/pvc.conf /etc/default/pvcd /usr/sbin/pvcd /usr/lib/pvckit /lib/systemd/system/pvcnoded.service; do
        [ -e "$f" ] && echo "present $f" || echo "absent $f"
      done; tail -1 /etc/pvc/pvc.conf; dpkg-query -W -f '${db:Status-Status}\\n' pvckit-common pvcd
      """)
    #expect(remove.status == 0, "\(remove.output)")
    for line in [
      "present /etc/pvc/pvc.conf", "present /etc/default/pvcd", "absent /usr/sbin/pvcd", "absent /usr/lib/pvckit",
      "absent /lib/systemd/system/pvcnoded.service", "# edited by the administrator", "config-files",
    ] {
      #expect(remove.output.contains(line), "after remove, expected '\(line)': \(remove.output)")
    }
    let purge = try Self.inRoot(
      """
      dpkg --purge \(names) >/dev/null 2>&1 &&
      for f in /etc/pvc/pvc.conf /etc/pvc /etc/default/pvcd /var/lib/pvc; do
        [ -e "$f" ] && echo "present $f" || echo "absent $f"
      done; dpkg-query -W -f '${db:Status-Status}\\n' pvckit-common 2>&1 || true
      """)
    #expect(purge.status == 0, "\(purge.output)")
    for line in ["absent /etc/pvc/pvc.conf", "absent /etc/pvc", "absent /etc/default/pvcd", "absent /var/lib/pvc"] {
      #expect(purge.output.contains(line), "after purge, expected '\(line)': \(purge.output)")
    }
    #expect(purge.output.contains("no packages found matching pvckit-common"), "\(purge.output)")
    // Installed again from the same files, so the suite's other tests find them whatever the order.
    let again = try Self.inRoot(
      "dpkg -i /tmp/pvckit-debs/*.deb >/dev/null && dpkg-query -W -f '${db:Status-Status}' pvcd")
    #expect(again.status == 0 && again.output == "installed", "\(again.output)")
  }
}
