import Foundation
@testable import SecScorePluginKit
import SecScoreTestSupport
import SecScoreWire
import SwiftProtobuf
import Testing

/// `FindingEncoder` writes exactly SwiftProtobuf's bytes for every finding,
/// and knows every field plugin.proto declares for the messages it writes.
@Suite("Finding encoder")
struct FindingEncoderTests {

    @Test func writesSwiftProtobufsBytesForGeneratedFindings() throws {
        var generator = FindingGenerator(state: 42)
        var differing = 0
        for _ in 0..<3_000 {
            let finding = generator.finding()
            let ours = try #require(FindingEncoder.evaluateResponse(finding))
            if ours != (try swiftProtobufResponse(finding)) { differing += 1 }
        }
        #expect(differing == 0)
    }

    @Test func writesTheEmptyFindingAndALargeOne() throws {
        let empty = Secscore_Plugin_V1_Finding()
        #expect(FindingEncoder.evaluateResponse(empty) == [0x0A, 0x00])
        #expect(try FindingEncoder.evaluateResponse(empty) == swiftProtobufResponse(empty))

        var large = Secscore_Plugin_V1_Finding()
        large.requirementID = "spendingBudgetSetForCustomerAzureSubscriptions"
        large.status = .notCompliant
        large.evidence.items = (0..<100_000).map { i in
            var item = Secscore_Plugin_V1_EvidenceItem(kind: "customer", id: "00000004-002a-4000-8000-\(i)", name: "Customer \(i)", status: "noBudget")
            item.reasons = ["no spending budget"]
            item.attributes = [Secscore_Plugin_V1_Attribute.with { $0.name = "subscriptions"; $0.value = "\(i % 12)" }]
            return item
        }
        #expect(try FindingEncoder.evaluateResponse(large) == swiftProtobufResponse(large))
    }

    /// Fields this build does not know, anywhere in the finding, are left
    /// to SwiftProtobuf, which keeps them.
    @Test func unknownFieldsAreLeftToSwiftProtobuf() throws {
        var item = Secscore_Plugin_V1_EvidenceItem(kind: "admin", id: "1", name: "n", status: "s")
        item.attributes = [Secscore_Plugin_V1_Attribute.with { $0.name = "a"; $0.value = "b" }]
        var finding = Secscore_Plugin_V1_Finding()
        finding.requirementID = "r"
        finding.evidence.items = [item]
        finding.evidence.metrics = [Secscore_Plugin_V1_Metric.with { $0.name = "m"; $0.value = 1 }]
        #expect(FindingEncoder.evaluateResponse(finding) != nil)
        let unknown: [UInt8] = [0xF8, 0x06, 0x07]  // field 111, varint 7
        func withUnknown<M: SwiftProtobuf.Message>(_ message: M) throws -> M {
            try M(serializedBytes: try message.serializedBytes() + unknown)
        }
        var cases: [Secscore_Plugin_V1_Finding] = [try withUnknown(finding)]
        var f = finding
        f.evidence = try withUnknown(finding.evidence)
        cases.append(f)
        f = finding
        f.evidence.metrics[0] = try withUnknown(finding.evidence.metrics[0])
        cases.append(f)
        f = finding
        f.evidence.items[0] = try withUnknown(item)
        cases.append(f)
        f = finding
        f.evidence.items[0].attributes[0] = try withUnknown(item.attributes[0])
        cases.append(f)
        for c in cases {
            #expect(FindingEncoder.evaluateResponse(c) == nil)
        }
    }

    /// A field added to plugin.proto must be added to the encoder (and its
    /// tests) before they pass again.
    @Test func knowsEveryFieldOfPluginProto() throws {
        let proto = try protoMessages(inFiles: ["Protos/secscore/plugin/v1/plugin.proto"])
        for (message, numbers) in FindingEncoder.encodedFields {
            let declared = try #require(proto[message], "plugin.proto has no message \(message)").map(\.number)
            // EvaluateResponse's error (2) is encoded by SwiftProtobuf.
            #expect(declared.filter { message != "EvaluateResponse" || $0 != 2 } == numbers, "\(message)")
        }
        #expect(Set(FindingEncoder.encodedFields.keys) == ["EvaluateResponse", "Finding", "Evidence", "Metric", "EvidenceItem", "Attribute"])
    }
}
