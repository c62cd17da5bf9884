/// The provisioner's userdata documents, scripts, OVA images and profiles (`/provisioner`).
extension OperationSpec {
  /// The userdata documents
  public static let provisionerUserdataList = OperationSpec(
    "provisioner.userdata-list", .get, "/provisioner/userdata", summary: "The userdata documents",
    parameters: [limitParameter], responses: [200: "array:userdata", 404: "Message"])
  /// Add a userdata document
  public static let provisionerUserdataAdd = OperationSpec(
    "provisioner.userdata-add", .post, "/provisioner/userdata", summary: "Add a userdata document",
    parameters: [
      .string("name", required: true, "The document's name"),
      .text("data", required: true, "The cloud-init document (at most 1 MiB)"),
    ], responses: [200: "Message", 400: "Message"])
  /// Userdata document {userdata}
  public static let provisionerUserdataInfo = OperationSpec(
    "provisioner.userdata-info", .get, "/provisioner/userdata/{userdata}", summary: "Userdata document {userdata}",
    responses: [200: "array:userdata", 404: "Message"])
  /// Add userdata document {userdata}
  public static let provisionerUserdataAddNamed = OperationSpec(
    "provisioner.userdata-add-named", .post, "/provisioner/userdata/{userdata}",
    summary: "Add userdata document {userdata}",
    parameters: [.text("data", required: true, "The cloud-init document (at most 1 MiB)")],
    responses: [200: "Message", 400: "Message"])
  /// Replace userdata document {userdata}
  public static let provisionerUserdataModify = OperationSpec(
    "provisioner.userdata-modify", .put, "/provisioner/userdata/{userdata}",
    summary: "Replace userdata document {userdata}",
    parameters: [.text("data", required: true, "The cloud-init document (at most 1 MiB)")],
    responses: [200: "Message", 400: "Message"])
  /// Remove userdata document {userdata}
  public static let provisionerUserdataRemove = OperationSpec(
    "provisioner.userdata-remove", .delete, "/provisioner/userdata/{userdata}",
    summary: "Remove userdata document {userdata}", responses: [200: "Message", 400: "Message"])

  static let scriptNote =
    "PVCKit runs scripts as executables (their #! line names the interpreter), never as code inside a daemon"

  /// The provisioning scripts
  public static let provisionerScriptList = OperationSpec(
    "provisioner.script-list", .get, "/provisioner/script", summary: "The provisioning scripts",
    parameters: [limitParameter], responses: [200: "array:script", 404: "Message"])
  /// Add a provisioning script
  public static let provisionerScriptAdd = OperationSpec(
    "provisioner.script-add", .post, "/provisioner/script", summary: "Add a provisioning script",
    parameters: [
      .string("name", required: true, "The script's name"),
      .text("data", required: true, "The executable's text, starting with its #! line (at most 1 MiB)"),
    ], responses: [200: "Message", 400: "Message"], notes: [scriptNote])
  /// Provisioning script {script}
  public static let provisionerScriptInfo = OperationSpec(
    "provisioner.script-info", .get, "/provisioner/script/{script}", summary: "Provisioning script {script}",
    responses: [200: "array:script", 404: "Message"])
  /// Add provisioning script {script}
  public static let provisionerScriptAddNamed = OperationSpec(
    "provisioner.script-add-named", .post, "/provisioner/script/{script}", summary: "Add provisioning script {script}",
    parameters: [.text("data", required: true, "The executable's text, starting with its #! line (at most 1 MiB)")],
    responses: [200: "Message", 400: "Message"], notes: [scriptNote])
  /// Replace provisioning script {script}
  public static let provisionerScriptModify = OperationSpec(
    "provisioner.script-modify", .put, "/provisioner/script/{script}", summary: "Replace provisioning script {script}",
    parameters: [.text("data", required: true, "The executable's text, starting with its #! line (at most 1 MiB)")],
    responses: [200: "Message", 400: "Message"], notes: [scriptNote])
  /// Remove provisioning script {script}
  public static let provisionerScriptRemove = OperationSpec(
    "provisioner.script-remove", .delete, "/provisioner/script/{script}",
    summary: "Remove provisioning script {script}",
    responses: [200: "Message", 400: "Message"])

  /// The OVA images
  public static let provisionerOVAList = OperationSpec(
    "provisioner.ova-list", .get, "/provisioner/ova", summary: "The OVA images",
    parameters: [limitParameter], responses: [200: "array:ova", 404: "Message"])
  /// OVA image {ova}
  public static let provisionerOVAInfo = OperationSpec(
    "provisioner.ova-info", .get, "/provisioner/ova/{ova}", summary: "OVA image {ova}",
    responses: [200: "array:ova", 404: "Message"])
  static let ovaNote =
    "The archive is the body: a multipart/form-data file (as upstream's client sends it) or the bytes themselves "
    + "(application/octet-stream); streamed onto a temporary RBD image (the pool needs twice ova_size free), its "
    + "OVF read, each disk converted into volume ova_<name>_sd<x>; a system template and an ova profile named "
    + "after the image are made"
  static let ovaSize = OperationParameter.integer(
    "ova_size", 1...(4 << 40), required: true, "The archive's size in bytes")
  /// Upload an OVA image
  public static let provisionerOVAUpload = OperationSpec(
    "provisioner.ova-upload", .post, "/provisioner/ova", summary: "Upload an OVA image",
    parameters: [
      .string("pool", required: true, "The pool its volumes go in"),
      .string("name", required: true, "The image's name (usually the archive's name)"), ovaSize,
    ], responses: [200: "Message", 400: "Message"], notes: [ovaNote])
  /// Upload OVA image {ova}
  public static let provisionerOVAUploadNamed = OperationSpec(
    "provisioner.ova-upload-named", .post, "/provisioner/ova/{ova}", summary: "Upload OVA image {ova}",
    parameters: [.string("pool", required: true, "The pool its volumes go in"), ovaSize],
    responses: [200: "Message", 400: "Message"], notes: [ovaNote])
  /// Remove OVA image {ova}
  public static let provisionerOVARemove = OperationSpec(
    "provisioner.ova-remove", .delete, "/provisioner/ova/{ova}", summary: "Remove OVA image {ova}",
    responses: [200: "Message", 400: "Message", 404: "Message"],
    notes: ["Its volumes, its ova profiles and the system template made for it go too"])

  /// The VM profiles
  public static let provisionerProfileList = OperationSpec(
    "provisioner.profile-list", .get, "/provisioner/profile", summary: "The VM profiles",
    parameters: [limitParameter], responses: [200: "array:profile", 404: "Message"])
  /// Add a VM profile
  public static let provisionerProfileAdd = OperationSpec(
    "provisioner.profile-add", .post, "/provisioner/profile", summary: "Add a VM profile",
    parameters: [.string("name", required: true, "The profile's name")] + profileValues,
    responses: [200: "Message", 400: "Message"])
  /// VM profile {profile}
  public static let provisionerProfileInfo = OperationSpec(
    "provisioner.profile-info", .get, "/provisioner/profile/{profile}", summary: "VM profile {profile}",
    responses: [200: "array:profile", 404: "Message"])
  /// Add VM profile {profile}
  public static let provisionerProfileAddNamed = OperationSpec(
    "provisioner.profile-add-named", .post, "/provisioner/profile/{profile}", summary: "Add VM profile {profile}",
    parameters: profileValues, responses: [200: "Message", 400: "Message"])
  /// Change VM profile {profile}
  public static let provisionerProfileModify = OperationSpec(
    "provisioner.profile-modify", .put, "/provisioner/profile/{profile}", summary: "Change VM profile {profile}",
    parameters: [
      .string("script", "Its script"), .string("system_template", "Its system template"),
    ] + profileReferences,
    responses: [200: "Message", 400: "Message"], notes: ["An empty name clears an optional reference"])
  /// Remove VM profile {profile}
  public static let provisionerProfileRemove = OperationSpec(
    "provisioner.profile-remove", .delete, "/provisioner/profile/{profile}", summary: "Remove VM profile {profile}",
    responses: [200: "Message", 400: "Message"])

  /// Create a VM from a profile (a task on the primary)
  public static let provisionerCreate = OperationSpec(
    "provisioner.create", .post, "/provisioner/create", summary: "Create a VM from a profile (a task on the primary)",
    parameters: [
      .string("name", required: true, "The new VM's name"),
      .string("profile", required: true, "The profile to make it from"),
      .boolean("define_vm", "Define the VM (default true)"),
      .boolean("start_vm", "Start it at the end (default true)"),
      .string("arg", repeated: true, "A script argument, key=value, over the profile's"),
    ], responses: [202: "CeleryTask", 400: "Message"],
    notes: ["11 stages; a failed stage undoes what the create made (definition, volumes)"])

  static let provisionerDocumentOperations: [OperationSpec] = [
    provisionerUserdataList, provisionerUserdataAdd, provisionerUserdataInfo, provisionerUserdataAddNamed,
    provisionerUserdataModify, provisionerUserdataRemove, provisionerScriptList, provisionerScriptAdd,
    provisionerScriptInfo, provisionerScriptAddNamed, provisionerScriptModify, provisionerScriptRemove,
    provisionerOVAList, provisionerOVAInfo, provisionerOVAUpload, provisionerOVAUploadNamed, provisionerOVARemove,
  ]

  static let provisionerProfileOperations: [OperationSpec] = [
    provisionerProfileList, provisionerProfileAdd, provisionerProfileInfo, provisionerProfileAddNamed,
    provisionerProfileModify, provisionerProfileRemove, provisionerCreate,
  ]
}
