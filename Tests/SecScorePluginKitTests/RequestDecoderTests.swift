import Foundation
@_spi(Benchmarks) @testable import SecScorePluginKit
import SecScoreTestSupport
import SecScoreWire
import SwiftProtobuf
import Testing

/// `RequestDecoder` decodes plain requests exactly as SwiftProtobuf does,
/// and leaves everything else to it (returns nil), so that what a Swift
/// plugin accepts and refuses never depends on which decoder ran.
@Suite("Request decoder")
struct RequestDecoderTests {

    static func fast(_ bytes: [UInt8]) -> Secscore_Plugin_V1_EvaluateRequest? {
        bytes.withUnsafeBytes { RequestDecoder.evaluateRequest($0) }
    }

    /// Every generated request (every field of every message, awkward
    /// strings, negative and unrecognised values, NaN and -0.0 budgets)
    /// decodes to what it was: compared as bytes, since NaN is not == to
    /// itself, and as bytes they also show which messages are present.
    @Test func decodesGeneratedRequestsAsSwiftProtobufDoes() throws {
        var generator = RequestGenerator(state: 5)
        var differing = 0
        for _ in 0..<1_000 {
            let bytes: [UInt8] = try generator.request().serializedBytes()
            guard let decoded = Self.fast(bytes), try decoded.serializedBytes() == bytes else {
                differing += 1
                continue
            }
        }
        #expect(differing == 0)
    }

    /// Corrupted requests (a byte changed, inserted or removed, a piece
    /// repeated, the end cut off): whatever the fast decoder accepts,
    /// SwiftProtobuf accepts too, with the same result and nothing unknown.
    @Test func acceptsOfCorruptedRequestsOnlyWhatSwiftProtobufAcceptsAlike() throws {
        var generator = RequestGenerator(state: 77)
        var accepted = 0
        var disagreements: [String] = []
        for round in 0..<3_000 {
            var bytes: [UInt8] = try generator.request().serializedBytes()
            guard !bytes.isEmpty else { continue }
            generator.values.corrupt(&bytes)
            guard let decoded = Self.fast(bytes) else { continue }
            accepted += 1
            do {
                let reference = try Secscore_Plugin_V1_EvaluateRequest(serializedBytes: bytes)
                let same = try decoded.serializedBytes() as [UInt8] == reference.serializedBytes()
                if !same || Self.holdsUnknownFields(reference) { disagreements.append("round \(round): differs") }
            } catch {
                disagreements.append("round \(round): SwiftProtobuf refuses it (\(error))")
            }
        }
        #expect(disagreements.count == 0, "\(disagreements.prefix(5))")
        #expect(accepted > 100)  // the corruptions reach the decoder's paths, not only its refusals
    }

    /// Whether SwiftProtobuf kept fields it did not know anywhere in the
    /// request: its re-encoding then differs from a copy rebuilt without
    /// them, which is what the fast decoder would have produced.
    static func holdsUnknownFields(_ request: Secscore_Plugin_V1_EvaluateRequest) -> Bool {
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true
        guard let bytes: [UInt8] = try? request.serializedBytes(),
              let stripped = try? Secscore_Plugin_V1_EvaluateRequest(serializedBytes: bytes, options: options),
              let again: [UInt8] = try? stripped.serializedBytes()
        else { return true }
        return again != bytes
    }

    /// What protobuf gives a meaning the fast decoder does not model
    /// (merging, last-one-wins, unknown fields, bad UTF-8) gets nil, and
    /// SwiftProtobuf decides it.
    @Test func leavesEverythingElseToSwiftProtobuf() throws {
        var request = Secscore_Plugin_V1_EvaluateRequest()
        request.requirementID = "mfaEnforcedForAdmins"
        request.facets.users.items = [.with { $0.id = "u1"; $0.userPrincipalName = "a@b.example" }]
        let plain: [UInt8] = try request.serializedBytes()
        #expect(Self.fast(plain).map { $0 == request } == true)
        #expect(Self.fast([]) == Secscore_Plugin_V1_EvaluateRequest())  // the empty request is plain
        let user: [UInt8] = try request.facets.users.items[0].serializedBytes()
        var nested = request
        nested.facets.users.items = [try .init(serializedBytes: user + [0x98, 0x06, 0x07])]
        let cases: [(String, [UInt8])] = [
            ("an unknown field at the top", plain + [0x98, 0x06, 0x07]),
            ("an unknown field in a user", try nested.serializedBytes()),
            ("the facets twice (merged)", plain + (try Secscore_Plugin_V1_EvaluateRequest.with { $0.facets = request.facets }.serializedBytes())),
            ("requirement_id twice (last wins)", plain + [0x0A, 0x01, 0x78]),
            ("deadline_ms as a length-delimited field", plain + [0x12, 0x01, 0x00]),
            ("bytes that are not UTF-8", { var b = plain; b[2] = 0xC0; return b }()),
            ("a length past the end", Array(plain.dropLast())),
        ]
        for (name, bytes) in cases {
            #expect(Self.fast(bytes) == nil, "\(name)")
        }
    }

    /// The decoder reads every field the .proto files declare for a request
    /// (a new one would otherwise send every request to SwiftProtobuf).
    @Test func readsEveryFieldOfTheProtos() throws {
        let declared = try protoMessages(inFiles: ["Protos/secscore/plugin/v1/plugin.proto", "Protos/secscore/tenant/v1/tenant.proto"])
        #expect(Set(RequestDecoder.decodedFields.keys) == messages(reachableFrom: "EvaluateRequest", in: declared))
        for (message, numbers) in RequestDecoder.decodedFields {
            #expect(declared[message]?.map(\.number) == numbers, "\(message)")
        }
    }
}
