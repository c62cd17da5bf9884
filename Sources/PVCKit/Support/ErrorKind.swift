/// What kind of failure an error is. Every front presents a kind the same way:
/// pvcapi answers with its HTTP status (and names it in the `X-PVCKit-Error`
/// header, so that PVCKit's HTTP client gives back the same kind), and `pvc`
/// exits with its status. Documentation/Errors.md lists them.
public enum ErrorKind: String, Sendable, Hashable, CaseIterable {
  /// A value is not acceptable (a name, a definition, a parameter, a file).
  case invalid
  /// What was named does not exist.
  case notFound = "not_found"
  /// The request is understood but the cluster's state forbids it now (a VM
  /// in the wrong state, no node can take it, it exists already...).
  case refused
  /// The work did not finish in the time allowed (it may still finish).
  case timedOut = "timed_out"
  /// The cluster cannot be reached (ZooKeeper, the API, a node).
  case unavailable
  /// The credentials are missing or wrong.
  case unauthorized
  /// Anything else: the work was tried and failed.
  case failed

  /// The HTTP status pvcapi answers with. `refused` is 400, as upstream answers.
  public var httpStatus: Int {
    switch self {
    case .invalid, .refused: 400
    case .notFound: 404
    case .timedOut: 504
    case .unavailable: 503
    case .unauthorized: 401
    case .failed: 500
    }
  }

  /// The exit status of `pvc` (usage errors found by the argument parser exit 64).
  public var exitCode: Int32 {
    switch self {
    case .failed: 1
    case .invalid: 2
    case .notFound: 3
    case .refused: 4
    case .timedOut: 5
    case .unavailable: 6
    case .unauthorized: 7
    }
  }

  /// The kind of any error: its own for PVCKit's errors, `failed` for others.
  public init(of error: any Error) {
    self = (error as? any ClassifiedError)?.kind ?? .failed
  }

  /// The kind an HTTP status stands for (an API that does not name the kind, such as upstream's).
  public init(httpStatus: Int) {
    switch httpStatus {
    case 400, 405, 409, 413, 415, 422: self = .invalid
    case 401, 403: self = .unauthorized
    case 404: self = .notFound
    case 408, 504: self = .timedOut
    case 502, 503: self = .unavailable
    default: self = .failed
    }
  }
}

/// An error that says what kind of failure it is.
public protocol ClassifiedError: Error {
  /// How fronts present it.
  var kind: ErrorKind { get }
}

extension VMError: ClassifiedError {
  public var kind: ErrorKind {
    switch self {
    case .notFound: .notFound
    case .invalidXML, .invalidName, .invalidArgument, .tag, .nothingToChange, .nodeNotFound, .nodeNotAllowed: .invalid
    case .duplicate, .noTarget, .alreadyOnNode, .alreadyMigrated, .notMigrated, .wrongState, .tooMuchMemory,
      .tooManyVCPUs, .mirrorNotForced, .refusedByPolicy, .conflict:
      .refused
    }
  }
}

extension NodeError: ClassifiedError {
  public var kind: ErrorKind {
    switch self {
    case .notFound: .notFound
    case .invalidArgument: .invalid
    case .notCoordinator, .notRunning: .refused
    case .timedOut: .timedOut
    }
  }
}

extension TaskError: ClassifiedError {
  public var kind: ErrorKind {
    switch self {
    case .notFound: .notFound
    case .unknownKind, .invalidArguments: .invalid
    case .nodeUnavailable, .notCancellable: .refused
    case .failed: .failed
    case .timedOut: .timedOut
    }
  }
}

extension FaultError: ClassifiedError {
  public var kind: ErrorKind { .notFound }
}

extension ClusterError: ClassifiedError {
  public var kind: ErrorKind {
    switch self {
    case .alreadyInitialized, .notInitialized: .refused
    case .schemaMismatch, .invalidBackup, .unsupportedSchema: .invalid
    }
  }
}

extension SchemaError: ClassifiedError {
  public var kind: ErrorKind { .invalid }
}

extension ConfigurationError: ClassifiedError {
  public var kind: ErrorKind { .invalid }
}

extension ZooKeeperError: ClassifiedError {
  public var kind: ErrorKind { code == .noAuth ? .unauthorized : .unavailable }
}

extension CoordinationError: ClassifiedError {
  public var kind: ErrorKind { reason == .timedOut ? .timedOut : .failed }
}

extension IPMIError: ClassifiedError {
  public var kind: ErrorKind {
    switch self {
    case .invalidSettings: .invalid
    case .failed: .failed
    }
  }
}

extension JSONValue.ParseError: ClassifiedError {
  public var kind: ErrorKind { .invalid }
}

extension APIClientError: ClassifiedError {
  public var kind: ErrorKind {
    switch self {
    case .unreachable: .unavailable
    case .refused(let status, _, let kind): kind ?? ErrorKind(httpStatus: status)
    case .badResponse: .failed
    }
  }
}
