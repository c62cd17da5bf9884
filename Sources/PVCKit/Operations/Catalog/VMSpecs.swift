/// The operations on VMs (`/vm`).
extension OperationSpec {
  /// The node selectors, as the API names them.
  static let vmSelectors = NodeSelector.allCases.map(\.rawValue)
  /// The migration methods, as the API names them.
  static let vmMigrationMethods = MigrationMethod.allCases.map(\.rawValue)

  /// The parameters of a VM's PVC metadata (define, and change).
  public static let vmMetadataParameters: [OperationParameter] = [
    .string("limit", "The nodes the VM may run on, comma-separated (empty: any)"),
    .choice("selector", vmSelectors, "How migration targets are chosen"),
    .boolean("autostart", "Start the VM on its node at the next unflush"),
    .choice("migration_method", vmMigrationMethods, "How the VM migrates"),
    .integer("migration_max_downtime", 1...3_600_000, "Longest pause at the end of a live migration, in ms"),
  ]

  /// The parameters of a definition.
  public static let vmDefineParameters: [OperationParameter] =
    [
      .text("xml", required: true, "The libvirt domain XML"),
      .string("node", "The node to put it on (default: chosen by the selector)"),
    ] + vmMetadataParameters + [
      .string("user_tags", repeated: true, "A user tag (repeatable)"),
      .string("protected_tags", repeated: true, "A protected tag (repeatable)"),
    ]

  /// A VM's PVC metadata
  public static let vmMetadata = OperationSpec(
    "vm.metadata", .get, "/vm/{vm}/meta", summary: "A VM's PVC metadata",
    responses: [200: "VMMetadata", 404: "Message"])

  /// Change a VM's PVC metadata
  public static let vmSetMetadata = OperationSpec(
    "vm.set-metadata", .post, "/vm/{vm}/meta", summary: "Change a VM's PVC metadata",
    parameters: vmMetadataParameters + [.string("profile", "The provisioner profile it came from")],
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// A VM's tags
  public static let vmTags = OperationSpec(
    "vm.tags", .get, "/vm/{vm}/tags", summary: "A VM's tags",
    responses: [200: "object", 404: "Message"])

  /// Add or remove a VM's tag
  public static let vmChangeTag = OperationSpec(
    "vm.change-tag", .post, "/vm/{vm}/tags", summary: "Add or remove a VM's tag",
    parameters: [
      .choice("action", ["add", "remove"], required: true, "add or remove"),
      .string("tag", required: true, "The tag"), .boolean("protected", "Protect the tag from removal (add only)"),
    ],
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// A VM's state
  public static let vmState = OperationSpec(
    "vm.state", .get, "/vm/{vm}/state", summary: "A VM's state",
    responses: [200: "VMState", 404: "Message"])

  /// Start, shut down, stop, restart or disable a VM
  public static let vmSetState = OperationSpec(
    "vm.set-state", .post, "/vm/{vm}/state", summary: "Start, shut down, stop, restart or disable a VM",
    parameters: [
      .choice("state", VMStateRequest.allCases.map(\.rawValue), required: true, "The state to go to"),
      .boolean("force", "Start or stop a snapshot mirror too; with disable, stop at once instead of shutting down"),
      .boolean("wait", "Wait until a shutdown or restart has finished (the work runs as a task)"),
    ],
    responses: [200: "Message", 400: "Message"])

  /// A VM's node and previous node
  public static let vmNode = OperationSpec(
    "vm.node", .get, "/vm/{vm}/node", summary: "A VM's node and previous node",
    responses: [200: "VMNode", 404: "Message"])

  /// Migrate, unmigrate or move a VM
  public static let vmSetNode = OperationSpec(
    "vm.set-node", .post, "/vm/{vm}/node", summary: "Migrate, unmigrate or move a VM",
    parameters: [
      .choice("action", VMMoveAction.allCases.map(\.rawValue), required: true, "What to do"),
      .string("node", "The target node (default: chosen by the selector)"),
      .boolean("force", "Migrate even if already migrated (keeping its original node)"),
      .boolean("wait", "Wait until the VM runs on its new node (the work runs as a task)"),
      .boolean("force_live", "Migrate live or not at all (no shutdown fallback)"),
    ],
    responses: [200: "Message", 400: "Message"])

  /// Free a stopped VM's disk locks (a task)
  public static let vmFlushLocks = OperationSpec(
    "vm.flush-locks", .post, "/vm/{vm}/locks", summary: "Free a stopped VM's disk locks (a task)",
    responses: [202: "CeleryTask", 400: "Message", 404: "Message"])

  /// Take a whole-VM snapshot (a task)
  public static let vmSnapshotCreate = OperationSpec(
    "vm.snapshot-create", .post, "/vm/{vm}/snapshot", summary: "Take a whole-VM snapshot (a task)",
    parameters: [.string("snapshot_name", "The snapshot's name (default: the time, YYYYMMDDhhmmss)")],
    responses: [202: "CeleryTask", 400: "Message", 404: "Message"],
    notes: [
      "An RBD snapshot of every disk, one after another, and the definition, under "
        + "/domains/<uuid>/snapshots/<name>. A running VM with a QEMU guest agent has its filesystems frozen "
        + "across the disks' snapshots; otherwise each disk is crash-consistent on its own (the result says which)"
    ])
  /// Remove a whole-VM snapshot (a task)
  public static let vmSnapshotRemove = OperationSpec(
    "vm.snapshot-remove", .delete, "/vm/{vm}/snapshot", summary: "Remove a whole-VM snapshot (a task)",
    parameters: [.string("snapshot_name", required: true, "The snapshot")],
    responses: [202: "CeleryTask", 400: "Message", 404: "Message"])
  /// Roll a VM back to a whole-VM snapshot (a task)
  public static let vmSnapshotRollback = OperationSpec(
    "vm.snapshot-rollback", .post, "/vm/{vm}/snapshot/rollback", summary: "Roll a VM back to a snapshot (a task)",
    parameters: [.string("snapshot_name", required: true, "The snapshot")],
    responses: [202: "CeleryTask", 400: "Message", 404: "Message"],
    notes: ["The VM must be stopped or disabled; its disks and its definition go back to the snapshot's"])

  /// Export a whole-VM snapshot to files (a task)
  public static let vmSnapshotExport = OperationSpec(
    "vm.snapshot-export", .post, "/vm/{vm}/snapshot/export", summary: "Export a whole-VM snapshot to files (a task)",
    parameters: [
      .string("snapshot_name", required: true, "The snapshot"),
      .string("export_path", required: true, "An absolute directory on the primary coordinator"),
      .string("incremental_parent", "A snapshot to export the changes since (an incremental export)"),
    ],
    responses: [202: "CeleryTask", 400: "Message", 404: "Message"],
    notes: [
      "Upstream's layout: <export_path>/<vm>/<snapshot>/snapshot.json and images/<pool>.<volume>.rbdimg "
        + "(rbd export format 2) or .rbddiff (rbd export-diff from the parent)"
    ])
  /// Import an exported snapshot as a new VM (a task)
  public static let vmSnapshotImport = OperationSpec(
    "vm.snapshot-import", .post, "/vm/{vm}/snapshot/import", summary: "Import an exported snapshot as a VM (a task)",
    parameters: [
      .string("snapshot_name", required: true, "The snapshot"),
      .string("import_path", required: true, "An absolute directory on the primary coordinator"),
      .boolean("retain_snapshot", "Keep the snapshot (and an incremental's parent) as the VM's (default true)"),
    ],
    responses: [202: "CeleryTask", 400: "Message", 404: "Message"],
    notes: ["The VM must not exist; it is defined from the export, its volumes made from the files, and started"])

  /// Upstream's parameters naming another cluster's API
  static let destinationParameters: [OperationParameter] = [
    .string("destination_api_uri", required: true, "The destination's API with its prefix (https://host:7370/api/v1)"),
    .string("destination_api_key", required: true, "The destination's API key"),
    .boolean("destination_api_verify_ssl", "Check the destination's certificate (default true)"),
    .string("destination_storage_pool", "The destination's pool for the volumes (default: the same as here)"),
  ]
  /// Send a whole-VM snapshot to another cluster (a task)
  public static let vmSnapshotSend = OperationSpec(
    "vm.snapshot-send", .post, "/vm/{vm}/snapshot/send",
    summary: "Send a whole-VM snapshot to another cluster (a task)",
    parameters: [.string("snapshot_name", required: true, "The snapshot")] + destinationParameters + [
      .string("incremental_parent", "A snapshot both clusters have: send only the changes since it")
    ],
    responses: [202: "CeleryTask", 400: "Message", 404: "Message"],
    notes: ["The copy on the destination is a stopped VM in state mirror"])
  /// Create or update a snapshot mirror of a VM on another cluster (a task)
  public static let vmMirrorCreate = OperationSpec(
    "vm.mirror-create", .post, "/vm/{vm}/mirror/create",
    summary: "Create or update a snapshot mirror of a VM on another cluster (a task)",
    parameters: destinationParameters, responses: [202: "CeleryTask", 400: "Message", 404: "Message"],
    notes: ["A new mr<time> snapshot, sent whole or as the changes since the newest snapshot both sides have"])
  /// Promote a VM's snapshot mirror on another cluster (a task)
  public static let vmMirrorPromote = OperationSpec(
    "vm.mirror-promote", .post, "/vm/{vm}/mirror/promote",
    summary: "Promote a VM's snapshot mirror on another cluster (a task)",
    parameters: destinationParameters + [
      .boolean("remove_on_source", "Remove the VM here once it runs there (default: it becomes the mirror)")
    ],
    responses: [202: "CeleryTask", 400: "Message", 404: "Message"],
    notes: ["Shuts the VM down here, sends a last snapshot, starts it there"])

  /// Back a VM up to files on the primary (legacy)
  public static let vmBackupCreate = OperationSpec(
    "vm.backup-create", .post, "/vm/{vm}/backup", summary: "Back a VM up to files on the primary (legacy backups)",
    parameters: [
      .string("backup_path", required: true, "An absolute directory on the primary coordinator"),
      .string("incremental_parent", "A retained full backup's date string: back up only the changes since it"),
      .boolean("retain_snapshot", "Keep the backup's snapshots as a parent for incrementals (full backups only)"),
    ],
    responses: [200: "Message", 400: "Message", 404: "Message"],
    notes: ["<backup_path>/<vm>/<date>/pvcbackup.json and pvcdisks/ (upstream's layout); answered when done"])
  /// Remove a legacy backup of a VM
  public static let vmBackupRemove = OperationSpec(
    "vm.backup-remove", .delete, "/vm/{vm}/backup", summary: "Remove a legacy backup of a VM",
    parameters: [
      .string("backup_path", required: true, "The directory the backup is in"),
      .string("backup_datestring", required: true, "The backup's date string (YYYYMMDDhhmmss)"),
    ],
    responses: [200: "Message", 400: "Message", 404: "Message"])
  /// Restore a VM from a legacy backup
  public static let vmRestore = OperationSpec(
    "vm.restore", .post, "/vm/{vm}/restore", summary: "Restore a VM from a legacy backup",
    parameters: [
      .string("backup_path", required: true, "The directory the backup is in"),
      .string("backup_datestring", required: true, "The backup's date string (YYYYMMDDhhmmss)"),
      .boolean("retain_snapshot", "Keep the full backup's snapshot for later incrementals (default true)"),
    ],
    responses: [200: "Message", 400: "Message", 404: "Message"],
    notes: ["The VM must not exist; it is defined, its volumes made from the files, and started"])
  /// Run the cluster's autobackup now (a task)
  public static let vmAutobackup = OperationSpec(
    "vm.autobackup", .post, "/vm/autobackup", summary: "Run the cluster's autobackup now (a task)",
    parameters: [
      .boolean("force_full", "Take full backups whatever the schedule says"),
      .string("email_recipients", "Accepted for upstream's clients; PVCKit sends no mail (the report is the task's)"),
    ],
    responses: [202: "CeleryTask", 400: "Message"],
    notes: ["Configured by pvc.conf's autobackup section on the primary"])
  /// Run the cluster's automirror now (a task)
  public static let vmAutomirror = OperationSpec(
    "vm.automirror", .post, "/vm/automirror", summary: "Run the cluster's automirror now (a task)",
    parameters: [
      .string("email_recipients", "Accepted for upstream's clients; PVCKit sends no mail (the report is the task's)"),
      .boolean("email_errors_only", "Accepted for upstream's clients"),
    ],
    responses: [202: "CeleryTask", 400: "Message"],
    notes: ["Configured by pvc.conf's automirror section on the primary"])

  /// Receive a snapshot's configuration from another cluster (API-internal, for snapshot sends)
  public static let vmSnapshotReceiveConfig = OperationSpec(
    "vm.snapshot-receive-config", .post, "/vm/{vm}/snapshot/receive/config",
    summary: "Receive a snapshot's configuration from another cluster (used by snapshot sends)",
    parameters: [
      .string("snapshot", required: true, "The snapshot"),
      .string("source_snapshot", "The snapshot it builds on (an incremental send)"),
    ],
    responses: [200: "Message", 400: "Message", 404: "Message"],
    notes: ["The body is the VM's detail as JSON (GET /vm/{vm}); the VM is defined in state mirror if absent"])
  /// Receive a disk's whole image (API-internal, for snapshot sends)
  public static let vmSnapshotReceiveImage = OperationSpec(
    "vm.snapshot-receive-image", .post, "/vm/{vm}/snapshot/receive/block",
    summary: "Receive a disk's whole image at a snapshot (used by snapshot sends)",
    parameters: [
      .string("pool", required: true, "The pool"), .string("volume", required: true, "The volume"),
      .string("snapshot", required: true, "The snapshot"),
      .integer("size", 1...Int.max, required: true, "The volume's size in bytes"),
    ],
    responses: [200: "Message", 400: "Message", 404: "Message"],
    notes: ["The body is the image's bytes (application/octet-stream)"])
  /// Receive a disk's changes since a snapshot (API-internal, for snapshot sends)
  public static let vmSnapshotReceiveChanges = OperationSpec(
    "vm.snapshot-receive-changes", .put, "/vm/{vm}/snapshot/receive/block",
    summary: "Receive a disk's changes since a snapshot (used by snapshot sends)",
    parameters: [
      .string("pool", required: true, "The pool"), .string("volume", required: true, "The volume"),
      .string("snapshot", required: true, "The snapshot"),
      .string("source_snapshot", required: true, "The snapshot the changes are since"),
    ],
    responses: [200: "Message", 400: "Message", 404: "Message"],
    notes: [
      "The body is multipart/form-data, one part per extent: 8-byte big-endian offset, 8-byte big-endian length, "
        + "the bytes"
    ])
  /// Make a received disk's snapshot (API-internal, for snapshot sends)
  public static let vmSnapshotReceiveFinish = OperationSpec(
    "vm.snapshot-receive-finish", .patch, "/vm/{vm}/snapshot/receive/block",
    summary: "Make a received disk's snapshot (used by snapshot sends)",
    parameters: [
      .string("pool", required: true, "The pool"), .string("volume", required: true, "The volume"),
      .string("snapshot", required: true, "The snapshot"),
    ],
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// Hot-attach a device to a VM (a task)
  public static let vmDeviceAttach = OperationSpec(
    "vm.device-attach", .post, "/vm/{vm}/device", summary: "Hot-attach a device to a VM (a task)",
    parameters: [.text("xml", required: true, "The device's libvirt XML (<disk>, <interface>...)")],
    responses: [202: "CeleryTask", 400: "Message", 404: "Message"],
    notes: [
      "Runs on the VM's node: plugged into the running VM, then added to its definition; checked as a definition "
        + "is (and by the cluster's vm_policy)"
    ])
  /// Hot-detach a device from a VM (a task)
  public static let vmDeviceDetach = OperationSpec(
    "vm.device-detach", .delete, "/vm/{vm}/device", summary: "Hot-detach a device from a VM (a task)",
    parameters: [.text("xml", required: true, "The device's libvirt XML (a disk is found by target, a NIC by MAC)")],
    responses: [202: "CeleryTask", 400: "Message", 404: "Message"])

  /// The VMs (404 when none match)
  public static let vmList = OperationSpec(
    "vm.list", .get, "/vm", summary: "The VMs (404 when none match)",
    parameters: [
      .string("limit", "A name pattern (fuzzy unless anchored with ^ or $) or a UUID"),
      .string("node", "Only VMs assigned to this node"), .string("state", "Only VMs in this state"),
      .string("tag", "Only VMs with this tag"), .boolean("negate", "Invert the node, state and tag conditions"),
    ],
    responses: [200: "array:vm", 404: "Message"])

  /// Define a VM
  public static let vmDefine = OperationSpec(
    "vm.define", .post, "/vm", summary: "Define a VM",
    parameters: vmDefineParameters,
    responses: [200: "Message", 400: "Message"])

  /// Define a VM (the name comes from the XML)
  public static let vmDefineNamed = OperationSpec(
    "vm.define-named", .post, "/vm/{vm}", summary: "Define a VM (the name comes from the XML)",
    parameters: vmDefineParameters,
    responses: [200: "Message", 400: "Message"])

  /// One VM (as a one-element list)
  public static let vmInfo = OperationSpec(
    "vm.info", .get, "/vm/{vm}", summary: "One VM (as a one-element list)",
    responses: [200: "array:vm", 404: "Message"])

  /// Replace a VM's libvirt XML
  public static let vmModify = OperationSpec(
    "vm.modify", .put, "/vm/{vm}", summary: "Replace a VM's libvirt XML",
    parameters: [
      .text("xml", required: true, "The new libvirt domain XML (same UUID)"),
      .boolean("restart", "Restart the VM to apply it"),
    ],
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// Remove a VM (and its disks if asked)
  public static let vmRemove = OperationSpec(
    "vm.remove", .delete, "/vm/{vm}", summary: "Remove a VM (and its disks if asked)",
    parameters: [.boolean("delete_disks", "Also delete its disks")],
    responses: [200: "Message", 400: "Message", 404: "Message"])

  /// Rename a stopped VM
  public static let vmRename = OperationSpec(
    "vm.rename", .post, "/vm/{vm}/rename", summary: "Rename a stopped VM",
    parameters: [.string("new_name", required: true, "The new name")],
    responses: [200: "Message", 400: "Message"])

  /// A VM's recent serial console output
  public static let vmConsoleLog = OperationSpec(
    "vm.console-log", .get, "/vm/{vm}/console", summary: "A VM's recent serial console output",
    parameters: [.integer("lines", 1...100_000, "How many lines")],
    responses: [200: "VMLog", 404: "Message"])

  /// Attach to a running VM's serial console (a WebSocket)
  public static let vmConsoleAttach = OperationSpec(
    "vm.console-attach", .get, "/vm/{vm}/console/attach", summary: "Attach to a running VM's serial console",
    responses: [101: "WebSocket", 400: "Message", 404: "Message", 426: "Message"],
    notes: [
      "PVCKit extension: a WebSocket (binary messages both ways: what the guest writes, keys typed); a plain "
        + "GET answers 426 once the console could be opened. The console closes, with the reason in the close "
        + "frame, when the VM stops or moves or another session takes it over"
    ])

  /// Attach to a running VM's graphical console (a WebSocket carrying VNC)
  public static let vmGraphicsAttach = OperationSpec(
    "vm.graphics-attach", .get, "/vm/{vm}/vnc/attach", summary: "Attach to a running VM's graphical console",
    responses: [101: "WebSocket", 400: "Message", 404: "Message", 426: "Message"],
    notes: [
      "PVCKit extension: a WebSocket carrying the VM's VNC server's byte stream (RFB) both ways, for a VNC client "
        + "such as noVNC; the node's VNC port is never exposed. A plain GET answers 426 once it could be opened; "
        + "it closes, with the reason in the close frame, when the VM stops or moves"
    ])

  /// Every operation of this area.
  static let vmOperations: [OperationSpec] = [
    vmMetadata, vmSetMetadata, vmTags, vmChangeTag, vmState, vmSetState, vmNode, vmSetNode, vmFlushLocks, vmList,
    vmDefine, vmDefineNamed, vmInfo, vmModify, vmRemove, vmRename, vmConsoleLog, vmConsoleAttach, vmGraphicsAttach,
    vmSnapshotCreate,
    vmSnapshotRemove,
    vmSnapshotRollback, vmSnapshotExport, vmSnapshotImport, vmSnapshotSend, vmMirrorCreate, vmMirrorPromote,
    vmBackupCreate, vmBackupRemove, vmRestore, vmAutobackup, vmAutomirror, vmSnapshotReceiveConfig,
    vmSnapshotReceiveImage,
    vmSnapshotReceiveChanges, vmSnapshotReceiveFinish, vmDeviceAttach, vmDeviceDetach,
  ]
}
