import Testing
@testable import PVCKit
@Test func smoke() { #expect(true) }
