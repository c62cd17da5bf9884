import Synchronization
import Testing

@testable import PVCKit

/// A node's places for tasks of a limited kind: taken up to the limit, handed on in order, left when cancelled.
@Suite("Task places")
struct TaskSlotsTests {
  @Test("places are taken up to the limit, handed to the waiting tasks in order, and a cancelled waiter leaves")
  func places() async throws {
    let slots = TaskSlots()
    let order = Order()
    try await slots.take("k", limit: 1) {}
    let second = Task {
      try await slots.take("k", limit: 1) { order.append("second waits") }
      order.append("second runs")
    }
    #expect(try await eventually { order.values == ["second waits"] })
    let third = Task {
      try await slots.take("k", limit: 1) { order.append("third waits") }
      order.append("third runs")
    }
    #expect(try await eventually { order.values.count == 2 })
    second.cancel()
    await #expect(throws: CancellationError.self) { try await second.value }
    // Another kind is not held up.
    try await slots.take("other", limit: 1) {}
    await slots.give("k")
    try await third.value
    #expect(order.values == ["second waits", "third waits", "third runs"])
  }

  final class Order: Sendable {
    private let store = Mutex<[String]>([])
    func append(_ value: String) { store.withLock { $0.append(value) } }
    var values: [String] { store.withLock { $0 } }
  }
}
