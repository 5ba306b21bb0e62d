@testable import PluginHost
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

    /// Both ways of finding a repeated attribute name (pairwise up to 16
    /// attributes, a set beyond) agree with a `Set` of the names, for every
    /// position of the repeat, canonically equivalent spellings included.
    @Test func repeatedAttributeNamesAreFoundLikeASetWould() {
        func attributes(_ names: [String]) -> [Secscore_Plugin_V1_Attribute] {
            names.map { n in
                var a = Secscore_Plugin_V1_Attribute()
                a.name = n
                return a
            }
        }
        func expected(_ names: [String]) -> String? {
            var seen = Set<String>()
            return names.first { !seen.insert($0).inserted }
        }
        for count in [2, 3, 15, 16, 17, 40] {
            let distinct = (0..<count).map { "attr\($0)" }
            #expect(FindingLimits.firstRepeatedName(attributes(distinct)) == nil)
            for later in 1..<count {
                for earlier in 0..<later {
                    var names = distinct
                    names[later] = names[earlier]
                    let found = FindingLimits.firstRepeatedName(attributes(names))
                    #expect(found == expected(names), "count \(count), \(earlier) repeated at \(later)")
                }
            }
        }
        // "é" precomposed and decomposed are one name to String and to Set.
        for count in [2, 20] {
            var names = (0..<count).map { "n\($0)" }
            names[0] = "caf\u{E9}"
            names[count - 1] = "cafe\u{301}"
            #expect(FindingLimits.firstRepeatedName(attributes(names)) == expected(names))
            #expect(expected(names) != nil)
        }
    }
}
