import PVCKit
import Testing

/// Each kind of failure has one HTTP status and one exit status, and PVCKit's
/// errors say which kind they are (Documentation/Errors.md).
@Suite("Error kinds")
struct ErrorKindTests {
  @Test("exit statuses are distinct, never 0 or the parser's 64; statuses read back to their kind")
  func presentations() {
    let codes = ErrorKind.allCases.map(\.exitCode)
    #expect(Set(codes).count == codes.count)
    #expect(!codes.contains(0) && !codes.contains(64))
    for kind in ErrorKind.allCases where kind != .refused {
      #expect(ErrorKind(httpStatus: kind.httpStatus) == kind, "\(kind)")
    }
    // Upstream answers 400 for a refused request too; without PVCKit's header it reads as invalid.
    #expect(ErrorKind(httpStatus: ErrorKind.refused.httpStatus) == .invalid)
  }

  @Test("PVCKit's errors are classified; others are failures")
  func classification() {
    struct Other: Error {}
    #expect(ErrorKind(of: VMError.notFound("x")) == .notFound)
    #expect(ErrorKind(of: VMError.invalidName("bad")) == .invalid)
    #expect(ErrorKind(of: VMError.wrongState(vm: "x", state: .start, needed: "stop it first")) == .refused)
    #expect(ErrorKind(of: NodeError.timedOut("a flush")) == .timedOut)
    #expect(ErrorKind(of: TaskError.failed("it broke")) == .failed)
    #expect(ErrorKind(of: FaultError.notFound("F")) == .notFound)
    #expect(ErrorKind(of: ClusterError.alreadyInitialized) == .refused)
    #expect(ErrorKind(of: APIClientError.refused(404, "gone")) == .notFound)
    #expect(ErrorKind(of: APIClientError.refused(400, "in use", kind: .refused)) == .refused)
    #expect(ErrorKind(of: APIClientError.unreachable("http://127.0.0.1:1", "refused")) == .unavailable)
    #expect(ErrorKind(of: Other()) == .failed)
  }
}
