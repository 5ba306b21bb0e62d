import PluginHost
import SecScoreWire
import Testing

/// What a plugin's finding may carry into reports, without a process.
@Suite("Finding limits")
struct FindingLimitsTests {
    @Test func cutKeepsWholeCharactersAndSaysHowMuchWasCut() {
        #expect(FindingLimits.cut("short", 10) == "short")
        #expect(FindingLimits.cut("abcdefghij", 4) == "abcd… [cut: 6 more bytes]")
        // "é" is two bytes: never split in half.
        #expect(FindingLimits.cut("ééé", 3) == "é… [cut: 4 more bytes]")
    }

    @Test func everyListAndStringIsBounded() {
        var f = Secscore_Plugin_V1_Finding()
        f.insights = [String(repeating: "x", count: 10_000)] + (0..<300).map { "insight \($0)" }
        var item = Secscore_Plugin_V1_EvidenceItem()
        item.id = String(repeating: "i", count: 5_000)
        item.reasons = (0..<100).map { "reason \($0)" }
        item.attributes = (0..<100).map { i in
            var a = Secscore_Plugin_V1_Attribute()
            a.name = "name\(i)"
            a.value = String(repeating: "v", count: 1_000)
            return a
        }
        f.evidence.items = [item]
        f.evidence.metrics = (0..<100).map { i in
            var m = Secscore_Plugin_V1_Metric()
            m.name = "metric\(i)" + String(repeating: "m", count: 100)
            m.value = Double(i)
            return m
        }
        let b = FindingLimits.bounded(f)
        #expect(b.insights.count == FindingLimits.maxInsights + 1)
        #expect(b.insights.last == "… and 201 more insights, not shown (at most 100)")
        #expect(b.insights[0].utf8.count < FindingLimits.insightBytes + 40 && b.insights[0].hasSuffix("more bytes]"))
        let i = b.evidence.items[0]
        #expect(i.id.utf8.count < FindingLimits.fieldBytes + 40)
        #expect(i.reasons.count == FindingLimits.maxReasons && i.attributes.count == FindingLimits.maxAttributes)
        #expect(i.attributes.allSatisfy { $0.value.utf8.count < FindingLimits.fieldBytes + 40 })
        #expect(b.evidence.metrics.count == FindingLimits.maxMetrics)
        #expect(b.evidence.metrics.allSatisfy { $0.name.utf8.count < FindingLimits.nameBytes + 40 })
        // A finding within the limits is passed through untouched.
        var small = Secscore_Plugin_V1_Finding()
        small.insights = ["fine"]
        #expect(FindingLimits.bounded(small) == small)
    }

    @Test func ambiguousFindingsAreRefused() {
        func metric(_ name: String, _ value: Double) -> Secscore_Plugin_V1_Metric {
            var m = Secscore_Plugin_V1_Metric()
            m.name = name
            m.value = value
            return m
        }
        var f = Secscore_Plugin_V1_Finding()
        f.evidence.metrics = [metric("admins", 1), metric("admins", 2)]
        #expect(FindingLimits.refusal(f)?.contains("reported metric \"admins\" twice") == true)
        for bad in [Double.nan, .infinity, -.infinity] {
            f.evidence.metrics = [metric("ratio", bad)]
            #expect(FindingLimits.refusal(f)?.contains("not a finite number") == true)
        }
        f.evidence.metrics = [metric("a", 1), metric("b", 2)]
        var item = Secscore_Plugin_V1_EvidenceItem()
        item.id = "x"
        item.attributes = ["k", "k"].map { n in
            var a = Secscore_Plugin_V1_Attribute()
            a.name = n
            return a
        }
        f.evidence.items = [item]
        #expect(FindingLimits.refusal(f)?.contains("the attribute \"k\" twice") == true)
        f.evidence.items = []
        #expect(FindingLimits.refusal(f) == nil)
    }
}
