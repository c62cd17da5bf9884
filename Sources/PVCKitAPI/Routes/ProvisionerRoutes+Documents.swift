import Foundation
import Hummingbird
import PVCKit
import PVCKitServer

/// `/provisioner/userdata`, `/script`, `/ova` and `/profile`.
extension ProvisionerRoutes {
  static let documents: [APIRoute] = [
    APIRoute(.provisionerUserdataList) { call in
      try listing(
        try await call.cluster.provisioner.userdata(limit: call.parameters.string("limit")),
        none: "No userdata documents found.")
    },
    APIRoute(.provisionerUserdataAdd) { call in try await addUserdata(call, call.parameters.string("name") ?? "") },
    APIRoute(.provisionerUserdataAddNamed) { call in try await addUserdata(call, call.path("userdata")) },
    APIRoute(.provisionerUserdataInfo) { call in
      try listing(
        [try await call.cluster.provisioner.userdata(call.path("userdata"))], none: "No userdata documents found.")
    },
    APIRoute(.provisionerUserdataModify) { call in
      let name = call.path("userdata")
      try await call.cluster.provisioner.modifyUserdata(name, data: call.parameters.raw("data") ?? "")
      return Responses.message("Updated userdata document \"\(name)\".")
    },
    APIRoute(.provisionerUserdataRemove) { call in
      let name = call.path("userdata")
      try await call.cluster.provisioner.removeUserdata(name)
      return Responses.message("Removed userdata document \"\(name)\".")
    },
    APIRoute(.provisionerScriptList) { call in
      try listing(
        try await call.cluster.provisioner.scripts(limit: call.parameters.string("limit")), none: "No scripts found.")
    },
    APIRoute(.provisionerScriptAdd) { call in try await addScript(call, call.parameters.string("name") ?? "") },
    APIRoute(.provisionerScriptAddNamed) { call in try await addScript(call, call.path("script")) },
    APIRoute(.provisionerScriptInfo) { call in
      try listing([try await call.cluster.provisioner.script(call.path("script"))], none: "No scripts found.")
    },
    APIRoute(.provisionerScriptModify) { call in
      let name = call.path("script")
      try await call.cluster.provisioner.modifyScript(name, data: call.parameters.raw("data") ?? "")
      return Responses.message("Updated provisioning script \"\(name)\".")
    },
    APIRoute(.provisionerScriptRemove) { call in
      let name = call.path("script")
      try await call.cluster.provisioner.removeScript(name)
      return Responses.message("Removed provisioning script \"\(name)\".")
    },
    APIRoute(.provisionerOVAList) { call in
      try listing(
        try await call.cluster.provisioner.ovas(limit: call.parameters.string("limit")), none: "No OVAs found.")
    },
    APIRoute(.provisionerOVAInfo) { call in
      try listing([try await call.cluster.provisioner.ova(call.path("ova"))], none: "No OVAs found.")
    },
    APIRoute(.provisionerOVAUpload) { call in try await uploadOVA(call, call.parameters.string("name") ?? "") },
    APIRoute(.provisionerOVAUploadNamed) { call in try await uploadOVA(call, call.path("ova")) },
    APIRoute(.provisionerOVARemove) { call in
      let name = call.path("ova")
      try await call.cluster.provisioner.removeOVA(name)
      return Responses.message("Removed OVA image \"\(name)\".")
    },
  ]

  static let profiles: [APIRoute] = [
    APIRoute(.provisionerProfileList) { call in
      try listing(
        try await call.cluster.provisioner.profiles(limit: call.parameters.string("limit")), none: "No profiles found.")
    },
    APIRoute(.provisionerProfileAdd) { call in try await addProfile(call, call.parameters.string("name") ?? "") },
    APIRoute(.provisionerProfileAddNamed) { call in try await addProfile(call, call.path("profile")) },
    APIRoute(.provisionerProfileInfo) { call in
      try listing([try await call.cluster.provisioner.profile(call.path("profile"))], none: "No profiles found.")
    },
    APIRoute(.provisionerProfileModify) { call in
      let name = call.path("profile")
      try await call.cluster.provisioner.modifyProfile(name, profileRequest(call))
      return Responses.message("Modified VM profile \"\(name)\".")
    },
    APIRoute(.provisionerCreate) { call in
      let p = call.parameters
      let arguments = ProvisionerCreateTask.Arguments(
        name: p.string("name") ?? "", profile: p.string("profile") ?? "", define: p.bool("define_vm") ?? true,
        start: p.bool("start_vm") ?? true, arguments: p.strings("arg"))
      // As upstream: always a task to follow (202).
      return try TaskRoutes.accepted(try await call.cluster.provisioner.create(arguments))
    },
    APIRoute(.provisionerProfileRemove) { call in
      let name = call.path("profile")
      try await call.cluster.provisioner.removeProfile(name)
      return Responses.message("Removed VM profile \"\(name)\".")
    },
  ]

  static func addUserdata(_ call: APICall, _ name: String) async throws -> Response {
    try await call.cluster.provisioner.addUserdata(name, data: call.parameters.raw("data") ?? "")
    return Responses.message("Created userdata document \"\(name)\".")
  }

  static func addScript(_ call: APICall, _ name: String) async throws -> Response {
    try await call.cluster.provisioner.addScript(name, data: call.parameters.raw("data") ?? "")
    return Responses.message("Created provisioning script \"\(name)\".")
  }

  /// A profile's references as given (an empty value clears an optional one); `arg` replaces the arguments
  /// when given at all.
  static func profileRequest(_ call: APICall) -> VMProfileRequest {
    let p = call.parameters
    return VMProfileRequest(
      type: p.string("profile_type").flatMap(ProfileType.init(rawValue:)), systemTemplate: p.string("system_template"),
      networkTemplate: p.raw("network_template"), storageTemplate: p.raw("storage_template"),
      userdata: p.raw("userdata"), script: p.string("script"), ova: p.string("ova"),
      arguments: p.isGiven("arg") ? p.strings("arg") : nil)
  }

  static func addProfile(_ call: APICall, _ name: String) async throws -> Response {
    try await call.cluster.provisioner.addProfile(name, profileRequest(call))
    return Responses.message("Created VM profile \"\(name)\".")
  }

  static func uploadOVA(_ call: APICall, _ name: String) async throws -> Response {
    let bytes = UploadBody.bytes(of: call.body, contentType: call.headers[.contentType] ?? "")
    let size = UInt64(call.parameters.int("ova_size") ?? 0)
    try await call.cluster.provisioner.uploadOVA(
      name, pool: call.parameters.string("pool") ?? "", size: size, from: .stream(bytes))
    return Responses.message("Imported OVA image \"\(name)\".")
  }
}
