@testable import PluginHost
import Glibc
import Testing

/// Every order of RESPONSE frames, against the call table alone: no
/// process, no timing.
@Suite("Call table: what each response means")
struct CallTableTests {
    typealias Table = CallTable<String>

    func table(open ids: Int = 2) -> Table {
        var t = Table()
        for i in 0..<ids {
            let id = t.takeID()!
            t.open(id, .init(waiter: "caller \(i + 1)", requirementID: "req.\(i + 1)", deadline: 1_000 * UInt64(i + 1), timeout: .seconds(1)))
        }
        return t
    }

    func delivered(_ a: Table.ResponseAction) -> String? {
        if case .deliver(let call) = a { return call.waiter }
        return nil
    }

    func violation(_ a: Table.ResponseAction) -> String? {
        if case .violation(let why) = a { return why }
        return nil
    }

    func absorbed(_ a: Table.ResponseAction) -> Bool {
        if case .absorb = a { return true }
        return false
    }

    @Test func idsOnlyGrowAndRunOut() {
        var t = Table()
        #expect(t.takeID() == 1 && t.takeID() == 2)
        var full = Table(firstID: UInt32.max - 1)
        #expect(full.takeID() == UInt32.max - 1)
        #expect(full.takeID() == nil)
    }

    @Test func inOrderAndOutOfOrderAnswersAreDelivered() {
        var t = table()
        #expect(delivered(t.receiveResponse(id: 2, requirementID: "req.2")) == "caller 2")
        #expect(delivered(t.receiveResponse(id: 1, requirementID: nil)) == "caller 1")  // a call error names no requirement
        #expect(t.isEmpty)
    }

    @Test func aSecondAnswerIsAViolationWhenItComes() {
        // Straight after the first, or after other traffic: the same verdict.
        for between in [false, true] {
            var t = table()
            #expect(delivered(t.receiveResponse(id: 1, requirementID: "req.1")) != nil)
            if between { #expect(delivered(t.receiveResponse(id: 2, requirementID: "req.2")) != nil) }
            #expect(violation(t.receiveResponse(id: 1, requirementID: "req.1"))?.contains("again, after it was already answered") == true)
        }
    }

    @Test func anAnswerNobodyAskedForIsAViolation() {
        var t = table()
        #expect(violation(t.receiveResponse(id: 9, requirementID: "req.1"))?.contains("never sent") == true)
        #expect(violation(t.receiveResponse(id: 0, requirementID: "req.1"))?.contains("never sent") == true)
        // The open requests are untouched by it.
        #expect(t.openCount == 2)
    }

    @Test func anAnswerForAnotherRequirementIsAViolationAndLeavesTheCallOpen() {
        var t = table()
        #expect(violation(t.receiveResponse(id: 1, requirementID: "req.2"))?.contains("with a finding for \"req.2\"") == true)
        #expect(t.isOpen(1))
        #expect(t.closeAll().map(\.waiter) == ["caller 1", "caller 2"])
    }

    @Test func anAbandonedRequestOwesExactlyOneAnswer() {
        var t = table()
        #expect(t.abandon(1, graceDeadline: 5_000)?.waiter == "caller 1")
        #expect(t.abandon(1, graceDeadline: 5_000) == nil)  // only once
        #expect(t.owedCount == 2 && t.openCount == 1)
        #expect(absorbed(t.receiveResponse(id: 1, requirementID: "req.1")))
        #expect(violation(t.receiveResponse(id: 1, requirementID: "req.1"))?.contains("already answered") == true)
    }

    @Test func anAnswerThatRacesItsCancelIsAbsorbed() {
        // The plugin answered before it saw CANCEL: still the one owed answer.
        var t = table()
        _ = t.abandon(2, graceDeadline: 5_000)
        #expect(absorbed(t.receiveResponse(id: 2, requirementID: "req.2")))
        #expect(t.overdue(at: 10_000) == nil)
    }

    @Test func deadlinesAndGraces() {
        var t = table()
        #expect(t.nextDeadline == 1_000)
        #expect(t.expired(at: 999).isEmpty)
        #expect(t.expired(at: 1_500).map(\.id) == [1])
        #expect(t.expired(at: 2_000).map(\.id) == [1, 2])
        _ = t.abandon(1, graceDeadline: 1_800)
        #expect(t.nextDeadline == 1_800)
        #expect(t.overdue(at: 1_799) == nil)
        #expect(t.overdue(at: 1_800) == 1)
    }

    @Test func closingFailsEveryOpenCallAndForgetsDebts() {
        var t = table(open: 3)
        _ = t.abandon(2, graceDeadline: 5_000)
        #expect(t.closeAll().map(\.waiter) == ["caller 1", "caller 3"])
        #expect(t.isEmpty && t.nextDeadline == nil)
        // After closing, any answer is one nobody is owed.
        #expect(violation(t.receiveResponse(id: 2, requirementID: "req.2")) != nil)
    }
}

@Suite("Teardown as data")
struct TeardownTests {
    @Test func politeEndsInSIGKILL() {
        let t = Teardown.polite(shutdownGrace: .seconds(2), terminateGrace: .seconds(1))
        #expect(t.steps.map(\.action) == [.goAway, .signal(SIGTERM), .signal(SIGKILL)])
        #expect(t.steps.map(\.grace) == [.seconds(2), .seconds(1), .zero])
        #expect(t.step(after: 0)?.step.action == .signal(SIGTERM))
        #expect(t.step(after: 1)?.step.action == .signal(SIGKILL))
        #expect(t.step(after: 2) == nil)
    }
}
