/// A cluster fault, as kept under `/faults/<id>` and shown by `pvc cluster fault list`.
public struct Fault: Codable, Sendable, Hashable {
  /// The fault's id, e.g. `DEAD_NODE_hv2`.
  public var id: String
  /// When it was first reported (`YYYY-MM-DD HH:MM:SS`).
  public var firstReported: String
  /// When it was last reported.
  public var lastReported: String
  /// When it was acknowledged, or empty.
  public var acknowledgedAt: String
  /// `new` or `ack`.
  public var status: String
  /// How much it lowers cluster health (0 once acknowledged).
  public var healthDelta: Int
  /// What is wrong.
  public var message: String

  /// Whether an administrator acknowledged the fault.
  public var isAcknowledged: Bool { status == "ack" }

  enum CodingKeys: String, CodingKey {
    case id, status, message
    case firstReported = "first_reported"
    case lastReported = "last_reported"
    case acknowledgedAt = "acknowledged_at"
    case healthDelta = "health_delta"
  }

  /// Builds a fault from its record; acknowledged faults count for nothing.
  init(id: String, record: Record<FaultKey>) {
    self.id = id
    firstReported = record.value(.firstTime)
    lastReported = record.value(.lastTime)
    acknowledgedAt = record.value(.ackTime)
    status = record.value(.status)
    healthDelta = status == "ack" ? 0 : (record.int(.delta) ?? 0)
    message = record.value(.message)
  }
}
