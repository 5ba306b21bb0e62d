@testable import SecScorePluginKit
import SecScoreWire
import Testing

/// `Finding` keeps the protocol message: what a check returns is what is
/// sent, field for field, whichever way it was built.
@Suite("Finding")
struct FindingTests {
    static func protocolFinding(items: Int) -> Secscore_Plugin_V1_Finding {
        var f = Secscore_Plugin_V1_Finding()
        f.requirementID = "example.library"
        f.status = .notCompliant
        f.insights = ["2 of 3 fail.", "Alice: no MFA."]
        var metric = Secscore_Plugin_V1_Metric()
        metric.name = "admins"
        metric.value = 3
        metric.unit = "users"
        f.evidence.metrics = [metric]
        f.evidence.items = (0..<items).map {
            Secscore_Plugin_V1_EvidenceItem(kind: "admin", id: "u\($0)", name: "User \($0)", status: "notCompliant",
                                            reasons: ["no MFA"], attributes: [("roles", "Global Administrator")])
        }
        return f
    }

    @Test func aProtocolFindingIsSentAsItIs() {
        let wire = Self.protocolFinding(items: 3)
        let finding = Finding(wire)
        var expected = wire
        expected.requirementID = "example.asked"
        #expect(finding.wire(requirementID: "example.asked") == expected)
        // The SDK's view of it.
        #expect(finding.status == .notCompliant)
        #expect(finding.insights == wire.insights)
        #expect(finding.metrics.map(\.name) == ["admins"] && finding.metrics.map(\.unit) == ["users"])
        #expect(finding.items == wire.evidence.items)
    }

    @Test func anUnknownStatusIsCouldNotCheck() {
        for status in [Secscore_Plugin_V1_FindingStatus.unspecified, .UNRECOGNIZED(42)] {
            var wire = Self.protocolFinding(items: 0)
            wire.status = status
            wire.clearEvidence()
            let finding = Finding(wire)
            #expect(finding.status == .couldNotCheck)
            let sent = finding.wire(requirementID: "r")
            #expect(sent.status == .couldNotCheck)
            #expect(sent.hasEvidence, "evidence is always present, as before")
        }
    }

    @Test func aBuiltFindingBecomesTheSameMessage() {
        var finding = Finding.notCompliant(["2 of 3 fail."]).metric("admins", 3, unit: "users")
        finding.insights.append("Alice: no MFA.")
        finding.items = Self.protocolFinding(items: 3).evidence.items
        #expect(finding.wire(requirementID: "example.library") == Self.protocolFinding(items: 3))
        #expect(Finding.compliant().wire(requirementID: "r").status == .compliant)
        #expect(Finding.couldNotCheck().wire(requirementID: "r").status == .couldNotCheck)
    }

    @Test func editingAProtocolFindingEditsWhatIsSent() {
        var finding = Finding(Self.protocolFinding(items: 1))
        finding.status = .compliant
        finding.insights = ["All fine."]
        finding.metrics.append((name: "checked", value: 1, unit: ""))
        finding.items.removeAll()
        let sent = finding.wire(requirementID: "r")
        #expect(sent.status == .compliant && sent.insights == ["All fine."])
        #expect(sent.evidence.metrics.map(\.name) == ["admins", "checked"])
        #expect(sent.evidence.items.isEmpty)
    }

    /// Appending edits the array in place: through the message's `evidence`
    /// accessor each append would copy every earlier item.
    @Test func appendingItemsIsLinear() {
        let item = Finding.item(kind: "customer", id: "c", status: "noBudget")
        var finding = Finding(Self.protocolFinding(items: 0))
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<200_000 { finding.items.append(item) }
        }
        #expect(finding.wire(requirementID: "r").evidence.items.count == 200_000)
        // Quadratic copying would move 2e10 items: minutes, not seconds.
        #expect(elapsed < .seconds(5), "\(elapsed)")
    }
}
