import Foundation
@testable import PluginHost
import SecScoreTestSupport
import SecScoreWire
import SwiftProtobuf
import Testing

/// The host decodes RESPONSE payloads through byte views
/// (Protos/secscore/hostview/v1/response_view.proto); these tests hold it to
/// exactly what decoding the real message accepts, refuses and yields.
@Suite("Response decoding")
struct ResponseDecodingTests {
    static func sample() -> Secscore_Plugin_V1_EvaluateResponse {
        var item = Secscore_Plugin_V1_EvidenceItem()
        item.kind = "admin"
        item.id = "3f2a-…"
        item.name = "Zoë Ångström \u{1F512}"
        item.status = "notCompliant"
        item.reasons = ["no MFA registered", "", "名前"]
        var attribute = Secscore_Plugin_V1_Attribute()
        attribute.name = "upn"
        attribute.value = "zoe@contoso.onmicrosoft.com\u{0}tail"
        item.attributes = [attribute, Secscore_Plugin_V1_Attribute()]
        var metric = Secscore_Plugin_V1_Metric()
        metric.name = "averageHours"
        metric.value = 23.5
        metric.unit = "h"
        var finding = Secscore_Plugin_V1_Finding()
        finding.requirementID = "mfaEnforcedForAdmins"
        finding.status = .notCompliant
        finding.insights = ["One admin has no MFA.", String(repeating: "x", count: 70_000), ""]
        finding.evidence.metrics = [metric]
        finding.evidence.items = [item, Secscore_Plugin_V1_EvidenceItem()]
        var response = Secscore_Plugin_V1_EvaluateResponse()
        response.finding = finding
        return response
    }

    static func variants() -> [Secscore_Plugin_V1_EvaluateResponse] {
        var noEvidence = sample()
        noEvidence.finding.clearEvidence()
        var emptyEvidence = sample()
        emptyEvidence.finding.evidence = Secscore_Plugin_V1_Evidence()
        var error = Secscore_Plugin_V1_EvaluateResponse()
        error.error.code = .failedPrecondition
        error.error.message = "roleAssignments.json is missing — nothing was decided"
        var unknownStatus = sample()
        unknownStatus.finding.status = .UNRECOGNIZED(42)
        var small = sample()  // under ResponseDecoding.viewBytes: decoded directly
        small.finding.insights[1] = "short"
        return [sample(), noEvidence, emptyEvidence, error, unknownStatus, Secscore_Plugin_V1_EvaluateResponse(), small]
    }

    @Test(arguments: 0..<7)
    func decodesWhatTheRealMessageDecodes(_ index: Int) throws {
        let bytes: [UInt8] = try Self.variants()[index].serializedBytes()
        let direct = try Secscore_Plugin_V1_EvaluateResponse(serializedBytes: bytes)
        #expect(try ResponseDecoding.decode(bytes) == direct)
    }

    /// Fields a newer plugin sends that this host does not know are kept,
    /// at every level, as the real message keeps them.
    @Test func keepsUnknownFieldsLikeTheRealMessage() throws {
        var bytes: [UInt8] = try Self.sample().serializedBytes()
        // Field 99 (varint 7) at the top level; then a finding of only
        // field 98 (length-delimited "zz") appended as a second field 1,
        // which protobuf merges into the first.
        bytes += [0x98, 0x06, 0x07]
        bytes += [0x0A, 0x05, 0x92, 0x06, 0x02, 0x7A, 0x7A]
        let direct = try Secscore_Plugin_V1_EvaluateResponse(serializedBytes: bytes)
        #expect(!direct.unknownFields.data.isEmpty && !direct.finding.unknownFields.data.isEmpty)
        #expect(try ResponseDecoding.decode(bytes) == direct)
    }

    /// Each string field in turn carries bytes that are not UTF-8 (an
    /// overlong '/', a lone continuation byte, a UTF-16 surrogate): both
    /// decodings refuse the payload, and the view names the field.
    /// Large payloads are decoded through the view, small ones directly
    /// (then through the view when SwiftProtobuf finds invalid UTF-8): both
    /// sizes are tried.
    @Test(arguments: [[UInt8]([0xC0, 0xAF]), [0x80], [0xED, 0xA0, 0x80]], [true, false])
    func refusesInvalidUTF8InEveryStringField(_ bad: [UInt8], large: Bool) throws {
        let data = Data(bad)
        typealias View = Secscore_Hostview_V1_EvaluateResponseView
        func valid() throws -> View {
            var response = Self.sample()
            if !large { response.finding.insights[1] = "short" }
            return try View(serializedBytes: try response.serializedBytes() as [UInt8])
        }
        let cases: [(String, (inout View) -> Void)] = [
            ("finding.requirement_id", { $0.finding.requirementID = data }),
            ("finding.insights[1]", { $0.finding.insights[1] = data + Data(repeating: 0x78, count: large ? 70_000 : 0) }),
            ("finding.evidence.metrics[0].name", { $0.finding.evidence.metrics[0].name = data }),
            ("finding.evidence.metrics[0].unit", { $0.finding.evidence.metrics[0].unit = data }),
            ("finding.evidence.items[0].kind", { $0.finding.evidence.items[0].kind = data }),
            ("finding.evidence.items[1].id", { $0.finding.evidence.items[1].id = data }),
            ("finding.evidence.items[0].name", { $0.finding.evidence.items[0].name = data }),
            ("finding.evidence.items[0].status", { $0.finding.evidence.items[0].status = data }),
            ("finding.evidence.items[0].reasons[2]", { $0.finding.evidence.items[0].reasons[2] = data }),
            ("finding.evidence.items[0].attributes[1].name", { $0.finding.evidence.items[0].attributes[1].name = data }),
            ("finding.evidence.items[0].attributes[0].value", { $0.finding.evidence.items[0].attributes[0].value = data }),
            ("error.message", { $0.error.message = data + Data(repeating: 0x78, count: large ? 70_000 : 0) }),
        ]
        for (field, spoil) in cases {
            var view = try valid()
            spoil(&view)
            let bytes: [UInt8] = try view.serializedBytes()
            #expect((bytes.count >= ResponseDecoding.viewBytes) == large, "\(field)")
            #expect(throws: (any Error).self, "\(field): SwiftProtobuf should refuse it too") {
                try Secscore_Plugin_V1_EvaluateResponse(serializedBytes: bytes)
            }
            do {
                _ = try ResponseDecoding.decode(bytes)
                Issue.record("\(field): accepted bytes that are not UTF-8")
            } catch let error as ResponseDecoding.InvalidUTF8 {
                #expect(error.description == "\(field) is not valid UTF-8")
            }
        }
    }

    /// The one documented difference: a string replaced by a later
    /// occurrence of its field is not checked. What is kept is checked and
    /// equals what SwiftProtobuf would keep; at both sizes.
    @Test(arguments: [true, false])
    func aReplacedStringIsNotChecked(large: Bool) throws {
        var response = Self.sample()
        if !large { response.finding.insights[1] = "short" }
        var bytes: [UInt8] = try response.serializedBytes()
        // finding { requirement_id: <not UTF-8> } then finding { requirement_id: "x" }:
        // the second occurrence merges into the first and replaces the id.
        bytes += [0x0A, 0x04, 0x0A, 0x02, 0xC0, 0xAF, 0x0A, 0x03, 0x0A, 0x01, 0x78]
        #expect(throws: (any Error).self) { try Secscore_Plugin_V1_EvaluateResponse(serializedBytes: bytes) }
        var expected = response
        expected.finding.requirementID = "x"
        #expect(try ResponseDecoding.decode(bytes) == expected)
        #expect((bytes.count >= ResponseDecoding.viewBytes) == large)
    }

    /// A large finding of many short strings is decoded directly; a long
    /// requirement id, insight or error message sends it through the view;
    /// so does anything malformed. Evidence strings are not looked at.
    @Test func theViewIsForLongTexts() throws {
        func payload(_ response: Secscore_Plugin_V1_EvaluateResponse) throws -> [UInt8] { try response.serializedBytes() }
        func usesView(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { ResponseDecoding.usesView($0) } }
        var many = Self.sample()
        many.finding.insights[1] = "short"
        let item = many.finding.evidence.items[0]
        many.finding.evidence.items = Array(repeating: item, count: 2_000)
        let manyBytes = try payload(many)
        #expect(manyBytes.count >= ResponseDecoding.viewBytes && !usesView(manyBytes))
        #expect(try ResponseDecoding.decode(manyBytes) == many)
        #expect(usesView(try payload(Self.sample())))  // a 70,000-byte insight
        var longID = many
        longID.finding.requirementID = String(repeating: "r", count: ResponseDecoding.longTextBytes)
        #expect(usesView(try payload(longID)))
        var error = Secscore_Plugin_V1_EvaluateResponse()
        error.error.message = String(repeating: "e", count: ResponseDecoding.longTextBytes)
        #expect(usesView(try payload(error)))
        var justUnder = many
        justUnder.finding.insights[0] = String(repeating: "i", count: ResponseDecoding.longTextBytes - 1)
        #expect(!usesView(try payload(justUnder)))
        var longItem = many
        longItem.finding.evidence.items[5].name = String(repeating: "n", count: 70_000)
        #expect(!usesView(try payload(longItem)))
        #expect(try ResponseDecoding.decode(try payload(longItem)) == longItem)
        // Cut short, or a group wire type: the view's decoder reports it.
        #expect(usesView(Array(manyBytes.dropLast())))
        #expect(usesView([0x0B] + Array(repeating: 0, count: ResponseDecoding.viewBytes)))
        #expect(throws: (any Error).self) { try ResponseDecoding.decode(Array(manyBytes.dropLast())) }
    }

    /// Invalid UTF-8 in a large finding decoded directly is still refused,
    /// naming the field.
    @Test func invalidUTF8InALargeDirectFindingNamesTheField() throws {
        typealias View = Secscore_Hostview_V1_EvaluateResponseView
        var many = Self.sample()
        many.finding.insights[1] = "short"
        many.finding.evidence.items = Array(repeating: many.finding.evidence.items[0], count: 2_000)
        var view = try View(serializedBytes: try many.serializedBytes() as [UInt8])
        view.finding.evidence.items[1_500].name = Data([0xC0, 0xAF])
        let bytes: [UInt8] = try view.serializedBytes()
        #expect(!bytes.withUnsafeBytes { ResponseDecoding.usesView($0) })
        do {
            _ = try ResponseDecoding.decode(bytes)
            Issue.record("accepted bytes that are not UTF-8")
        } catch let error as ResponseDecoding.InvalidUTF8 {
            #expect(error.description == "finding.evidence.items[1500].name is not valid UTF-8")
        }
    }

    @Test func refusesMalformedProtobufLikeTheRealMessage() {
        for bytes: [UInt8] in [[0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01], [0x0A, 0x05, 0x0A], [0x7B]] {
            #expect(throws: (any Error).self) { try Secscore_Plugin_V1_EvaluateResponse(serializedBytes: bytes) }
            #expect(throws: (any Error).self) { try ResponseDecoding.decode(bytes) }
        }
    }

    /// Every view message has its namesake's fields (name, number, label)
    /// with `string` as `bytes`, read from the two .proto files, so a field
    /// added to plugin.proto and not to the view fails here.
    @Test func viewsKeepInStepWithPluginProto() throws {
        let plugin = try protoMessages(inFiles: ["Protos/secscore/plugin/v1/plugin.proto"])
        let views = try protoMessages(inFiles: ["Protos/secscore/hostview/v1/response_view.proto"])
        let names = ["EvaluateResponse", "Finding", "Evidence", "Metric", "EvidenceItem", "Attribute", "CallError"]
        #expect(Set(views.keys) == Set(names.map { $0 + "View" }))
        for name in names {
            let real = try #require(plugin[name], "plugin.proto has no message \(name)")
            let view = try #require(views[name + "View"])
            let expected = real.map { field in
                var f = field
                if f.type == "string" { f.type = "bytes" }
                if names.contains(f.type) { f.type += "View" }
                if ["FindingStatus", "Code"].contains(f.type) { f.type = "secscore.plugin.v1." + f.type }
                return f
            }
            #expect(view == expected, "\(name)View differs from \(name)")
        }
    }
}
