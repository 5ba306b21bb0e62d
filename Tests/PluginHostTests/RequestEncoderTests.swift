import Foundation
@_spi(Benchmarks) @testable import PluginHost
import SecScoreTestSupport
import SecScoreWire
import SwiftProtobuf
import Testing

/// `RequestEncoder` writes exactly SwiftProtobuf's bytes for every request,
/// and knows every field plugin.proto and tenant.proto declare for the
/// messages a request carries.
@Suite("Request encoder")
struct RequestEncoderTests {

    static func declared() throws -> [String: [ProtoField]] {
        try protoMessages(inFiles: ["Protos/secscore/plugin/v1/plugin.proto", "Protos/secscore/tenant/v1/tenant.proto"])
    }

    @Test func writesSwiftProtobufsBytesForGeneratedRequests() throws {
        var generator = RequestGenerator(state: 11)
        var differing = 0
        for _ in 0..<1_000 {
            let request = generator.request()
            if RequestEncoder.encode(request) != (try request.serializedBytes()) { differing += 1 }
        }
        #expect(differing == 0)
    }

    /// The comparison above means something only if the generator sets
    /// every field: the same requests, encoded by SwiftProtobuf, are walked
    /// by the .proto files' declarations and every declared field of every
    /// message a request can carry must turn up with a value.
    @Test func generatedRequestsSetEveryDeclaredField() throws {
        let declared = try Self.declared()
        var generator = RequestGenerator(state: 11)
        var seen: Set<String> = []
        func walk(_ bytes: UnsafeRawBufferPointer, _ message: String) throws {
            var r = ProtoReader(bytes)
            while !r.atEnd {
                guard let (number, wireType) = r.tag() else { throw Malformed(message: message) }
                let field = try #require(declared[message]?.first { $0.number == number }, "\(message) has no field \(number)")
                seen.insert("\(message).\(field.name)")
                switch wireType {
                case 0: guard r.varint() != nil else { throw Malformed(message: message) }
                case 1: guard r.fixed64() != nil else { throw Malformed(message: message) }
                case 2:
                    guard let body = r.bytes() else { throw Malformed(message: message) }
                    if let inner = messageType(of: field, in: declared) { try walk(body, inner) }
                default: throw Malformed(message: message)
                }
            }
        }
        for _ in 0..<1_000 {
            let bytes: [UInt8] = try generator.request().serializedBytes()
            try bytes.withUnsafeBytes { try walk($0, "EvaluateRequest") }
        }
        let expected = Set(messages(reachableFrom: "EvaluateRequest", in: declared).flatMap { m in declared[m]!.map { "\(m).\($0.name)" } })
        #expect(expected.subtracting(seen).sorted() == [])
        #expect(expected.count > 150)
    }

    /// A field added to either file must be added to the encoder (and the
    /// generator) before the tests pass again.
    @Test func knowsEveryFieldOfTheProtos() throws {
        let declared = try Self.declared()
        let reachable = messages(reachableFrom: "EvaluateRequest", in: declared)
        #expect(Set(RequestEncoder.encodedFields.keys) == reachable)
        for (message, numbers) in RequestEncoder.encodedFields {
            #expect(declared[message]?.map(\.number) == numbers, "\(message)")
        }
    }

    @Test func writesTheEmptyRequestAndALargeOne() throws {
        #expect(RequestEncoder.encode(Secscore_Plugin_V1_EvaluateRequest()) == [])
        var request = Secscore_Plugin_V1_EvaluateRequest()
        request.requirementID = "mfaForPartnerTenantAdmins"
        request.facets.users.items = (0..<50_000).map { i in
            .with {
                $0.id = "00000001-002a-4000-8000-\(String(i, radix: 16))"
                $0.userPrincipalName = "user\(i)@partner.example.com"
                $0.displayName = "User \(i)"
                $0.accountDisabled = i % 7 == 0
                $0.identityIssuers = i % 3 == 0 ? ["partner.example.com"] : []
            }
        }
        request.facets.securityDefaults = .init()  // set but empty: a tag and a zero length
        #expect(RequestEncoder.encode(request) == (try request.serializedBytes()))
    }

    /// Fields this build does not know, at any depth, are written after the
    /// known ones, as SwiftProtobuf writes them.
    @Test func unknownFieldsAreWrittenAsSwiftProtobufWritesThem() throws {
        let unknown: [UInt8] = [0xF8, 0x06, 0x07, 0xA2, 0x1F, 0x02, 0x68, 0x69]  // field 111 varint 7; field 500 "hi"
        func withUnknown<M: SwiftProtobuf.Message>(_ message: M) throws -> M {
            try M(serializedBytes: try message.serializedBytes() + unknown)
        }
        var generator = RequestGenerator(state: 3)
        var request = generator.request()
        request.requirementID = "r"
        request.facets.users.items = [try withUnknown(Secscore_Tenant_V1_User.with { $0.id = "u" })]
        request.facets.conditionalAccessPolicies.items = [
            try withUnknown(Secscore_Tenant_V1_ConditionalAccessPolicy.with {
                $0.id = "p"
                $0.includeGuestsOrExternalUsers = try! withUnknown(Secscore_Tenant_V1_GuestsOrExternalUsers())
            })
        ]
        request.facets.spendingBudgets = try withUnknown(request.facets.spendingBudgets)
        request.context = try withUnknown(request.context)
        request.parameters = [try withUnknown(Secscore_Plugin_V1_Parameter.with { $0.name = "n" })]
        request.facets = try withUnknown(request.facets)
        request = try withUnknown(request)
        #expect(RequestEncoder.encode(request) == (try request.serializedBytes()))
    }
}

/// SwiftProtobuf's bytes could not be walked: the test's reader is wrong.
private struct Malformed: Error {
    var message: String
}
