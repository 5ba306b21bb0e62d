import Foundation
@testable import PluginHost
import SecScoreTestSupport
import SecScoreWire
import SwiftProtobuf
import Testing

/// `FindingDecoder` decodes plain findings exactly as SwiftProtobuf does,
/// and leaves everything else to it (returns nil), so that what the host
/// accepts, refuses and reports never depends on which decoder ran.
@Suite("Finding decoder")
struct FindingDecoderTests {

    static func fast(_ bytes: [UInt8]) -> Secscore_Plugin_V1_EvaluateResponse? {
        bytes.withUnsafeBytes { FindingDecoder.evaluateResponse($0) }
    }

    /// Every generated finding (awkward strings, unknown statuses, NaN and
    /// -0 metrics, empty and absent evidence) decodes to what it was:
    /// compared as bytes, since a NaN metric is not == to itself.
    @Test func decodesGeneratedFindingsAsSwiftProtobufDoes() throws {
        var generator = FindingGenerator(state: 7)
        var differing = 0
        for _ in 0..<3_000 {
            let finding = generator.finding()
            let bytes = try swiftProtobufResponse(finding)
            guard let decoded = Self.fast(bytes) else {
                differing += 1
                continue
            }
            let reference = try Secscore_Plugin_V1_EvaluateResponse(serializedBytes: bytes)
            if try decoded.serializedBytes() != bytes || decoded.finding.hasEvidence != reference.finding.hasEvidence
                || decoded.finding.status != reference.finding.status
            {
                differing += 1
            }
        }
        #expect(differing == 0)
    }

    /// Corrupted answers (a byte changed, inserted or removed, a piece
    /// repeated, the end cut off): whatever the fast decoder accepts,
    /// SwiftProtobuf accepts too, with the same result.
    @Test func acceptsOfCorruptedAnswersOnlyWhatSwiftProtobufAcceptsAlike() throws {
        var generator = FindingGenerator(state: 99)
        var accepted = 0
        var disagreements: [String] = []
        for round in 0..<4_000 {
            var bytes = try swiftProtobufResponse(generator.finding())
            guard bytes.count < 4_096, !bytes.isEmpty else { continue }
            generator.corrupt(&bytes)
            guard let decoded = Self.fast(bytes) else { continue }
            accepted += 1
            do {
                let reference = try Secscore_Plugin_V1_EvaluateResponse(serializedBytes: bytes)
                let same = try decoded.serializedBytes() as [UInt8] == reference.serializedBytes()
                if !same || !reference.unknownFields.data.isEmpty { disagreements.append("round \(round): differs") }
            } catch {
                disagreements.append("round \(round): SwiftProtobuf refuses it (\(error))")
            }
        }
        #expect(disagreements.count == 0, "\(disagreements.prefix(5))")
        #expect(accepted > 100)  // the corruptions reach the decoder's paths, not only its refusals
    }

    /// What protobuf gives a meaning the fast decoder does not model
    /// (merging, last-one-wins, unknown fields, the error, bad UTF-8) is
    /// left to SwiftProtobuf, and `ResponseDecoding` still decodes it as
    /// SwiftProtobuf does.
    @Test func leavesEverythingElseToSwiftProtobuf() throws {
        var finding = Secscore_Plugin_V1_Finding()
        finding.requirementID = "mfaEnforcedForAdmins"
        finding.status = .compliant
        finding.evidence.items = [Secscore_Plugin_V1_EvidenceItem(kind: "admin", id: "a", name: "Alice", status: "ok")]
        let plain = try swiftProtobufResponse(finding)
        #expect(Self.fast(plain) != nil && plain[1] < 0x7C)  // a one-byte length, still one byte when 3 more are added
        var error = Secscore_Plugin_V1_EvaluateResponse()
        error.error.code = .failedPrecondition
        error.error.message = "no role assignments"
        let cases: [(String, [UInt8])] = [
            ("an unknown field in the finding", { var b = plain; b[1] += 3; return Array(b[0..<2]) + [0x98, 0x06, 0x07] + Array(b[2...]) }()),
            ("an unknown field at the top", plain + [0x98, 0x06, 0x07]),
            ("the finding twice (merged)", plain + plain),
            ("requirement_id twice (last wins)", { var b = plain; b[1] += 3; return Array(b[0..<2]) + [0x0A, 0x01, 0x78] + Array(b[2...]) }()),
            ("the error", try error.serializedBytes()),
            ("the empty response", []),
            ("bytes that are not UTF-8", { var b = plain; b[4] = 0xC0; return b }()),
        ]
        for (name, bytes) in cases {
            #expect(Self.fast(bytes) == nil, "\(name)")
            let reference = Result { try Secscore_Plugin_V1_EvaluateResponse(serializedBytes: bytes) }
            let decoded = Result { try ResponseDecoding.decode(bytes) }
            switch (reference, decoded) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(name)")
            case (.failure, .failure): break
            default: Issue.record("\(name): SwiftProtobuf \(reference), ResponseDecoding \(decoded)")
            }
        }
    }

    /// The decoder reads every field plugin.proto declares for the finding
    /// (a new one would otherwise send every answer to SwiftProtobuf).
    @Test func readsEveryFieldOfPluginProto() throws {
        let proto = try protoMessages(inFiles: ["Protos/secscore/plugin/v1/plugin.proto"])
        for (message, numbers) in FindingDecoder.decodedFields {
            let declared = try #require(proto[message], "plugin.proto has no message \(message)").map(\.number)
            // EvaluateResponse's error (2) is left to SwiftProtobuf.
            #expect(declared.filter { message != "EvaluateResponse" || $0 != 2 } == numbers, "\(message)")
        }
    }
}
