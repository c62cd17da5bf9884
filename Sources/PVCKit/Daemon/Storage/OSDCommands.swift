import Foundation

/// The command lines of an OSD's life on its node (pure): `ceph-volume`
/// prepare and activate (LVM, as upstream, where the kernel has device-mapper;
/// `raw` bluestore on the whole device otherwise), and the `ceph-osd` daemon.
enum OSDCommands {
  /// How ceph-volume lays an OSD out.
  enum Mode: String, Sendable {
    case lvm, raw

    /// LVM needs the kernel's device-mapper (a `/dev/mapper/control` node alone is not enough: the driver must be
    /// there).
    static var available: Mode {
      let misc = (try? String(contentsOfFile: "/proc/misc", encoding: .utf8)) ?? ""
      return misc.contains("device-mapper") ? .lvm : .raw
    }
  }

  /// Where the OSD tools and daemons of this host keep their sockets and logs: Ceph's standard places, whatever the
  /// cluster's `ceph.conf` says for its own daemons (a test cluster's may point into a directory only root can
  /// enter, and OSDs run as user ceph). Given as `CEPH_ARGS`, which every Ceph tool and daemon reads.
  static let localOptions =
    "--run-dir=/var/run/ceph --admin-socket=/var/run/ceph/$cluster-$name.asok --log-file=/var/log/ceph/$cluster-$name.log"

  /// Makes the directories of ``localOptions`` (user ceph's).
  static func prepareLocalDirectories() throws {
    for directory in ["/var/run/ceph", "/var/log/ceph"] {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      try FileManager.default.setAttributes(
        [.ownerAccountName: "ceph", .groupOwnerAccountName: "ceph", .posixPermissions: 0o770], ofItemAtPath: directory)
    }
  }

  /// The environment of the OSD tools and daemons.
  static func environment(_ settings: NodeStorage.Settings, device: String? = nil) -> [String: String] {
    var environment = ["CEPH_CONF": settings.cephConfigurationFile, "CEPH_ARGS": localOptions]
    if device?.hasPrefix("/dev/loop") == true { environment["CEPH_VOLUME_ALLOW_LOOP_DEVICES"] = "true" }
    return environment
  }

  /// `ceph-volume ... prepare` of a bluestore OSD on `device` (reusing `id` when replacing one).
  static func prepare(device: String, mode: Mode, cluster: String, id: String? = nil) -> [String] {
    var arguments = ["--cluster", cluster, mode.rawValue, "prepare", "--bluestore", "--data", device]
    if let id { arguments += ["--osd-id", id] }
    return arguments
  }

  /// `ceph-volume ... activate` without systemd (pvcd runs the daemon).
  static func activate(device: String, id: String, fsid: String, mode: Mode, cluster: String) -> [String] {
    switch mode {
    case .lvm: ["--cluster", cluster, "lvm", "activate", "--bluestore", "--no-systemd", id, fsid]
    case .raw: ["--cluster", cluster, "raw", "activate", "--device", device, "--no-systemd"]
    }
  }

  /// `ceph-osd` for an activated OSD: its data, keyring and object store named (a cluster's `ceph.conf` may say
  /// otherwise for the OSDs it made itself), run as user ceph, daemonized with a pid file.
  static func daemon(id: String, settings: NodeStorage.Settings, dataDirectory: String, pidFile: String) -> [String] {
    [
      "--cluster", settings.cluster, "-c", settings.cephConfigurationFile, "-i", id, "--osd-data", dataDirectory,
      "--keyring", dataDirectory + "/keyring", "--osd-objectstore", "bluestore", "--setuser", "ceph", "--setgroup",
      "ceph", "--pid-file", pidFile,
    ]
  }

  /// The OSD ID and FSID ceph-volume reports for `device` after prepare (`ceph-volume raw|lvm list --format json`).
  static func prepared(_ listing: String, device: String, mode: Mode) -> (id: String, fsid: String)? {
    guard let value = try? JSONValue(parsing: listing), case .object(let entries) = value else { return nil }
    for (key, entry) in entries {
      switch mode {
      case .raw:
        // {"<osd uuid>": {"device": "/dev/loop0", "osd_id": 1, "osd_uuid": "..."}}
        guard StorageStats.text(entry, "device") == device else { continue }
        return (String(StorageStats.number(entry, "osd_id")), StorageStats.text(entry, "osd_uuid") ?? key)
      case .lvm:
        // {"<id>": [{"devices": ["/dev/sdb"], "tags": {"ceph.osd_fsid": "..."}}]}
        guard case .array(let volumes) = entry else { continue }
        for volume in volumes {
          guard case .array(let devices)? = StorageStats.field(volume, "devices"), devices.contains(.string(device))
          else { continue }
          return (key, StorageStats.text(StorageStats.field(volume, "tags"), "ceph.osd_fsid") ?? "")
        }
      }
    }
    return nil
  }
}
