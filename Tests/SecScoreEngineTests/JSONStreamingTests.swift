import Foundation
import SecScoreModel
import SecScoreReports
import SecScoreTestSupport
import SecScoreWire
import TenantSnapshot
import Testing

/// The JSON report is written as it is rendered, in chunks, so a report of
/// any size takes constant memory; the bytes must be exactly the rendered
/// document's, and a sink that fails stops the writing.
@Suite("JSON reports stream")
struct JSONStreamingTests {
    /// A report with `items` evidence items per requirement, their text
    /// mixing plain ASCII, escapes and non-ASCII.
    func report(items: Int) throws -> EvaluationReport {
        let catalog = try CatalogLoader.builtIn()
        let edition = try #require(catalog.edition(named: "2025-10"))
        var evidence = Secscore_Plugin_V1_Evidence()
        evidence.items = (0..<items).map { i in
            var item = Secscore_Plugin_V1_EvidenceItem()
            item.kind = "admin"
            item.id = "0000\(i)-002a-4000-8000-000000000000"
            item.name = i % 3 == 0 ? "Zoë \"quoted\" \\ tab\t line\n \u{2028} #\(i)" : "user\(i)@partner.example.com"
            item.status = "compliant"
            item.reasons = i % 2 == 0 ? ["no MFA method registered"] : []
            var attribute = Secscore_Plugin_V1_Attribute()
            attribute.name = "roles"
            attribute.value = "Global Administrator"
            item.attributes = [attribute]
            return item
        }
        let results = edition.requirements.map { r in
            RequirementResult(requirement: r, status: .notCompleted, insights: ["\(items) items"], evidence: evidence, plugin: "p")
        }
        return EvaluationReport(
            edition: edition, asOf: CivilDate("2025-11-15")!, partner: PartnerProfile(partnerType: .directBill),
            partnerType: .directBill, requirements: results, futureRequirements: [])
    }

    @Test(arguments: [0, 1, 3_000])
    func chunksJoinToTheRenderedDocument(items: Int) throws {
        let report = try report(items: items)
        var chunks: [[UInt8]] = []
        let ok = JSONReport.write(report) { chunks.append(Array($0)); return true }
        #expect(ok)
        let joined = chunks.flatMap { $0 }
        let rendered = JSONReport.render(report)
        #expect(joined == Array(rendered.utf8))
        // Every chunk but the last is exactly 64 KiB (strings are cut at the
        // boundary); the last is not empty.
        for chunk in chunks.dropLast() { #expect(chunk.count == 65_536) }
        #expect(chunks.last?.isEmpty == false)
        if items == 3_000 { #expect(chunks.count > 5) }
        // And it is the JSON it claims to be, every item in place.
        let parsed = try JSONSerialization.jsonObject(with: Data(joined)) as? [String: Any]
        let requirements = try #require(parsed?["requirements"] as? [[String: Any]])
        for requirement in requirements {
            let evidenceItems = try #require((requirement["evidence"] as? [String: Any])?["items"] as? [[String: Any]])
            #expect(evidenceItems.count == items)
            if items > 0 { #expect(evidenceItems[0]["name"] as? String == "Zoë \"quoted\" \\ tab\t line\n \u{2028} #0") }
        }
    }

    /// A string longer than a chunk, of multi-byte characters, is cut
    /// across chunks and joins back to the same document.
    @Test func aStringLongerThanAChunkSpansChunks() {
        let long = String(repeating: "é\u{1F512}x", count: 40_000)  // 280,000 bytes
        let value = JSONOut.object([("long", .string(long)), ("after", .int(1))])
        var chunks: [[UInt8]] = []
        #expect(value.write { chunks.append(Array($0)); return true })
        #expect(chunks.count == 5)
        #expect(chunks.dropLast().allSatisfy { $0.count == 65_536 })
        #expect(chunks.flatMap { $0 } == Array(value.rendered().utf8))
        #expect(value.rendered().hasPrefix("{\n  \"long\": \"é🔒xé"))
    }

    @Test func aSinkThatFailsStopsTheWriting() throws {
        let report = try report(items: 3_000)
        var calls = 0
        let ok = JSONReport.write(report) { _ in calls += 1; return calls < 2 }
        #expect(!ok)
        #expect(calls == 2)  // nothing after the refused chunk
        // And the rendering stopped there: a sink that refuses the first
        // chunk of a 3,000-item report is called once.
        var once = 0
        #expect(!JSONReport.write(report) { _ in once += 1; return false })
        #expect(once == 1)
    }

    /// The exact text, escapes and indentation included (not compared with
    /// `render`, which is built on the same writer).
    @Test func theTextIsExact() {
        let value = JSONOut.object([
            ("s", .string("Zoë \"q\" \\ \t\n\u{1}\u{2028}")),
            ("n", .array([.int(-3), .double(2.5), .double(4), .null, .bool(false)])),
            ("e", .object([])),
            ("l", .array([.object([("i", .int(0))]), .object([("i", .int(1))])])),
            ("a", .array([])),
        ])
        let expected = """
            {
              "s": "Zoë \\"q\\" \\\\ \\t\\n\\u0001\\u2028",
              "n": [
                -3,
                2.5,
                4,
                null,
                false
              ],
              "e": {},
              "l": [
                {
                  "i": 0
                },
                {
                  "i": 1
                }
              ],
              "a": []
            }

            """
        #expect(value.rendered() == expected)
    }

    /// Evidence items are written straight into the output; they must read
    /// exactly as the same item built as a `JSONOut` object: empty and
    /// non-empty reasons and attributes, escapes, non-ASCII, and a repeated
    /// attribute name (the first one kept).
    @Test func evidenceItemsWriteAsTheSameObjectsBuilt() {
        let attributes = [("roles", "Global Administrator"), ("roles", "second"), ("é", "ü")]
        let items: [Secscore_Plugin_V1_EvidenceItem] = (0..<12).map { i in
            Secscore_Plugin_V1_EvidenceItem(
                kind: i % 4 == 0 ? "" : "admin", id: "id-\(i)",
                name: i % 3 == 0 ? "Zoë \"q\" \\ \t\n\u{1}\u{2028}" : "user\(i)@partner.example.com",
                status: i % 2 == 0 ? "compliant" : "notCompliant",
                reasons: Array(["no MFA method registered", "excluded by \"Break glass\""].prefix(i % 3)),
                attributes: Array(attributes.prefix(i % 4)))
        }
        var evidence = Secscore_Plugin_V1_Evidence()
        evidence.items = items
        let built = JSONOut.object([("items", .array(items.map { item in
            var attributes: [(String, JSONOut)] = []
            for a in item.attributes where !attributes.contains(where: { $0.0 == a.name }) { attributes.append((a.name, .string(a.value))) }
            return .object([
                ("kind", .string(item.kind)), ("id", .string(item.id)), ("name", .string(item.name)), ("status", .string(item.status)),
                ("reasons", .array(item.reasons.map(JSONOut.string))), ("attributes", .object(attributes)),
            ])
        }))])
        let written = JSONReport.evidence(evidence).rendered()
        #expect(written.contains("\"reasons\": [],"))
        #expect(written.contains("\"attributes\": {}"))
        #expect(!written.contains("second"))
        // The same items, and for the metrics an empty object first.
        #expect(written == built.rendered().replacingOccurrences(of: "{\n  \"items\"", with: "{\n  \"metrics\": {},\n  \"items\""))
        // No items: an empty array, as an empty built one is written.
        #expect(JSONReport.evidence(Secscore_Plugin_V1_Evidence()).rendered() == "{\n  \"metrics\": {},\n  \"items\": []\n}\n")
    }
}
