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

    /// The character walk `cut` did alone before its ASCII shortcut: the
    /// reference the shortcut is held to.
    private func walkingCut(_ text: String, _ limit: Int) -> String {
        let size = text.utf8.count
        guard size > limit else { return text }
        var used = 0
        var end = text.startIndex
        for (index, ch) in zip(text.indices, text) {
            if used + ch.utf8.count > limit { break }
            used += ch.utf8.count
            end = text.index(after: index)
        }
        return String(text[..<end]) + "… [cut: \(size - used) more bytes]"
    }

    /// `cut` gives what the character walk gives for random texts of
    /// ASCII, "\r\n", combining marks, emoji sequences and flags, cut at
    /// every length, so its ASCII shortcut never moves a cut.
    @Test func theASCIIShortcutCutsWhereTheCharacterWalkDoes() {
        let pieces = ["a", "Z", " ", "\r", "\n", "\r\n", "\u{301}", "\u{308}", "é", "🔐", "🇺🇸", "👍🏽", "👩‍👩‍👧", "\u{200D}", "ก่", "\u{1100}\u{1161}"]
        var state: UInt64 = 12_345
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        var shortcuts = 0
        for _ in 0..<3_000 {
            // Mostly ASCII, so that the shortcut is taken often.
            var text = ""
            for _ in 0..<(next() % 24) { text += next() % 3 == 0 ? pieces[next() % pieces.count] : "x" }
            for limit in 0...(text.utf8.count + 1) {
                #expect(FindingLimits.cut(text, limit) == walkingCut(text, limit), "\(text.unicodeScalars.map(\.value)) at \(limit)")
                if FindingLimits.cutsCleanly(text, at: limit) { shortcuts += 1 }
            }
        }
        #expect(shortcuts > 5_000)
        #expect(!FindingLimits.cutsCleanly("ab\r\ncd", at: 3))  // inside "\r\n"
        #expect(!FindingLimits.cutsCleanly("abe\u{301}", at: 3))  // a mark extends the "e"
        #expect(FindingLimits.cutsCleanly("abc\r\n", at: 3))
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
