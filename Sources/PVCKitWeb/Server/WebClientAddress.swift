import Hummingbird
import PVCKitServer

/// The address of the browser a request came from, for the audit log: set by ``WebClientAddress/Middleware`` for
/// the request's handling (a task-local, so the form handlers need not pass it along).
enum WebClientAddress {
  @TaskLocal static var current = "unknown"

  /// Sets ``current`` for each request.
  struct Middleware: RouterMiddleware {
    typealias Context = PVCRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
      -> Response
    {
      try await WebClientAddress.$current.withValue(context.client) { try await next(request, context) }
    }
  }
}
