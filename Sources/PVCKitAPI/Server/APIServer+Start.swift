public import PVCKitServer

extension APIServer {
  /// Starts serving in the background and returns once the server accepts
  /// connections (for a process that runs other things too, such as pvcd).
  public func start() async throws -> RunningServer {
    cluster.follow()
    return try await RunningServer.start(
      label: "pvcapi", onStop: {},
      make: { running in try application(onServerRunning: running) })
  }
}
