import SecScoreTestSupport
import SecScoreWire
import SwiftProtobuf
import Testing

/// docs/PROTOCOL.md shows a real exchange as hex; this keeps it true.
@Suite("docs/PROTOCOL.md")
struct ProtocolDocTests {
    static let docPath = fixture("docs/PROTOCOL.md")

    /// The hex blocks of the worked exchange, in order.
    func hexBlocks() throws -> [[UInt8]] {
        let text = try readTextFile(Self.docPath)
        var blocks: [[UInt8]] = []
        var current: [UInt8]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "```hex" {
                current = []
            } else if line == "```", let bytes = current {
                blocks.append(bytes)
                current = nil
            } else if current != nil {
                current! += line.split(separator: " ").map { UInt8($0, radix: 16)! }
            }
        }
        return blocks
    }

    @Test func workedExchangeDecodes() throws {
        let blocks = try hexBlocks()
        try #require(blocks.count == 4)
        var decoder = FrameDecoder()
        var messages: [WireMessage] = []
        for block in blocks {
            decoder.append(block)
            while let m = try decoder.next() { messages.append(m) }
        }
        try decoder.finish()
        #expect(messages.map(\.type) == [.hello, .welcome, .request, .response])

        let hello = try Secscore_Plugin_V1_Hello(serializedBytes: messages[0].payload)
        #expect(hello.protocolMajors == [1])
        #expect(hello.hostName == "secscore")
        #expect(hello.maxFrameBytes == 4 << 20)
        #expect(hello.logLevel == .info)

        let welcome = try Secscore_Plugin_V1_Welcome(serializedBytes: messages[1].payload)
        #expect(welcome.protocolMajor == 1)
        #expect(welcome.pluginName == "example-contact-domain")
        #expect(welcome.maxConcurrentRequests == 1)
        #expect(welcome.manifest.checks.map(\.requirementID) == ["example.contactDomain"])
        #expect(welcome.manifest.checks[0].requiredFacets == [.securityContact])

        #expect(messages[2].requestID == 1)
        let request = try Secscore_Plugin_V1_EvaluateRequest(serializedBytes: messages[2].payload)
        #expect(request.requirementID == "example.contactDomain")
        #expect(request.deadlineMs == 30_000)
        #expect(request.context.asOf == "2025-11-01")
        #expect(request.context.partnerType == .directBill)
        #expect(request.facets.securityContact.email == "soc@contoso.com")
        #expect(!request.facets.hasUsers)

        #expect(messages[3].requestID == 1)
        let response = try Secscore_Plugin_V1_EvaluateResponse(serializedBytes: messages[3].payload)
        #expect(response.finding.status == .compliant)
        #expect(response.finding.requirementID == "example.contactDomain")
        #expect(response.finding.insights == ["The security contact uses the organisation's own domain (contoso.com)."])
    }

    @Test func frameTypeTableMatchesTheCode() throws {
        let text = try readTextFile(Self.docPath)
        for type in [FrameType.hello, .welcome, .goAway, .ping, .pong, .request, .response, .cancel, .log, .progress] {
            let hex = "0x" + (type.rawValue < 16 ? "0" : "") + String(type.rawValue, radix: 16, uppercase: true)
            #expect(text.contains("| \(hex) | \(type.description)"), "\(type) missing from the frame type table")
        }
    }
}

func readTextFile(_ path: String) throws -> String {
    guard let file = fopen(path, "r") else { throw DocError(path: path) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n == 0 { break }
        bytes += buffer[..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

struct DocError: Error { var path: String }

import Glibc
