@testable import SecScoreWire
import Testing

@Suite("Frame codec")
struct FrameCodecTests {
    func frame(_ type: UInt8, id: UInt32, flags: UInt8 = 0, payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0xF5, 0x53, type, flags]
        bytes += withUnsafeBytes(of: id.bigEndian, Array.init)
        bytes += withUnsafeBytes(of: UInt32(payload.count).bigEndian, Array.init)
        return bytes + payload
    }

    @Test func headerRoundTrip() throws {
        var bytes: [UInt8] = []
        FrameHeader(type: .response, flags: .more, requestID: 0x0102_0304, length: 0xA0B0_C0D0).write(into: &bytes)
        #expect(bytes == [0xF5, 0x53, 0x11, 0x01, 1, 2, 3, 4, 0xA0, 0xB0, 0xC0, 0xD0])
        let header = try bytes.withUnsafeBytes { try FrameHeader.read(from: $0) }
        #expect(header.type == .response)
        #expect(header.flags == .more)
        #expect(header.requestID == 0x0102_0304)
        #expect(header.length == 0xA0B0_C0D0)
    }

    @Test func decodesMessagesFedOneByteAtATime() throws {
        let stream = frame(0x10, id: 1, payload: [1, 2, 3]) + frame(0x13, id: 0, payload: []) + frame(0x11, id: 7, payload: Array(repeating: 9, count: 300))
        var decoder = FrameDecoder()
        var messages: [WireMessage] = []
        for byte in stream {
            decoder.append([byte])
            while let m = try decoder.next() { messages.append(m) }
        }
        #expect(messages.map(\.type) == [.request, .log, .response])
        #expect(messages.map(\.requestID) == [1, 0, 7])
        #expect(messages[0].payload == [1, 2, 3])
        #expect(messages[1].payload.isEmpty)
        #expect(messages[2].payload.count == 300)
        try decoder.finish()
    }

    @Test func chunkingNeverChangesTheResult() throws {
        // The same message split into fragments of every size decodes the same.
        let payload = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        for fragment in [1, 2, 3, 17, 999, 1000, 5000] {
            var bytes: [UInt8] = []
            FrameEncoder.append(type: .request, requestID: 3, payload: payload, maxFrameBytes: UInt32(fragment), to: &bytes)
            var decoder = FrameDecoder()
            decoder.append(bytes)
            let message = try #require(try decoder.next())
            #expect(message.payload == payload, "fragment size \(fragment)")
            #expect(try decoder.next() == nil)
        }
    }

    /// The one cut every writer uses: full frames flagged MORE, then the
    /// rest; one empty frame for an empty payload; a payload of exactly
    /// whole frames ends on a full frame without MORE; stopping early.
    @Test func forEachFrameCutsAsTheProtocolSays() {
        func frames(_ count: Int, _ limit: UInt32, stopAfter: Int = .max) -> (frames: [String], finished: Bool) {
            var seen: [String] = []
            let finished = FrameEncoder.forEachFrame(payloadBytes: count, maxFrameBytes: limit) { range, flags in
                seen.append("\(range.lowerBound)..<\(range.upperBound)\(flags.contains(.more) ? "+" : "")")
                return seen.count < stopAfter
            }
            return (seen, finished)
        }
        #expect(frames(0, 10) == (["0..<0"], true))
        #expect(frames(7, 10) == (["0..<7"], true))
        #expect(frames(20, 10) == (["0..<10+", "10..<20"], true))
        #expect(frames(25, 10) == (["0..<10+", "10..<20+", "20..<25"], true))
        #expect(frames(3, 0) == (["0..<1+", "1..<2+", "2..<3"], true))  // a limit of 0 reads as 1
        #expect(frames(25, 10, stopAfter: 2) == (["0..<10+", "10..<20+"], false))
    }

    @Test func badMagicNamesTheBytes() {
        var decoder = FrameDecoder()
        decoder.append(Array("hello, world\n".utf8))
        #expect {
            _ = try decoder.next()
        } throws: { error in
            let e = error as? WireError
            return e?.code == .badMagic && e!.description.contains("hello, world") && e!.description.contains("68 65 6c 6c")
        }
    }

    @Test func oversizedLengthIsRejectedBeforeAllocating() {
        var decoder = FrameDecoder(maxFrameBytes: 1024)
        decoder.append([0xF5, 0x53, 0x11, 0, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xF0])
        #expect(throws: WireError.self) { _ = try decoder.next() }
        #expect(decoder.bufferedByteCount == 12)
    }

    @Test func messageLimitAppliesToFragments() {
        var bytes: [UInt8] = []
        FrameEncoder.append(type: .request, requestID: 1, payload: [UInt8](repeating: 1, count: 100), maxFrameBytes: 10, to: &bytes)
        var decoder = FrameDecoder(maxFrameBytes: 64, maxMessageBytes: 50)
        decoder.append(bytes)
        #expect { _ = try decoder.next() } throws: { ($0 as? WireError)?.code == .messageTooLarge }
    }

    @Test func interleavedFragmentsAreAnError() {
        var decoder = FrameDecoder()
        decoder.append(frame(0x10, id: 1, flags: 1, payload: [1]) + frame(0x10, id: 2, payload: [2]))
        #expect { _ = try decoder.next() } throws: { ($0 as? WireError)?.code == .interleavedFragments }
    }

    @Test func truncationIsReportedAtEndOfStream() throws {
        var decoder = FrameDecoder()
        decoder.append(Array(frame(0x11, id: 1, payload: [1, 2, 3, 4]).prefix(14)))
        #expect(try decoder.next() == nil)
        #expect { try decoder.finish() } throws: { ($0 as? WireError)?.code == .truncated }
    }

    @Test func readIntoReusesTheBuffer() throws {
        var decoder = FrameDecoder(initialCapacity: 16)
        let stream = frame(0x10, id: 1, payload: [UInt8](repeating: 5, count: 100_000))
        var offset = 0
        var got: WireMessage?
        while got == nil {
            let n = decoder.readInto(minimum: 64) { buffer in
                let count = min(buffer.count, stream.count - offset, 4096)
                for i in 0..<count { buffer[i] = stream[offset + i] }
                offset += count
                return count
            }
            #expect(n > 0)
            got = try decoder.next()
        }
        #expect(got?.payload.count == 100_000)
    }

    @Test func negotiatedFrameLimit() {
        #expect(ProtocolLimits.negotiatedFrameLimit(0, 0) == 4 << 20)
        #expect(ProtocolLimits.negotiatedFrameLimit(1 << 20, 0) == 1 << 20)
        #expect(ProtocolLimits.negotiatedFrameLimit(1, 1) == 64 << 10)
        #expect(ProtocolLimits.negotiatedFrameLimit(.max, .max) == 64 << 20)
    }

    /// `next(inPlace:)` hands an accepted message's payload to the caller
    /// where it lies (a fragmented one where it was joined), and every other
    /// message as `next()` would; frames after it in the same read are not
    /// disturbed.
    @Test func inPlaceReadingSeesExactlyWhatNextWouldReturn() throws {
        let big = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let stream = frame(0x11, id: 5, payload: big) + frame(0x13, id: 5, payload: [7, 7])
            + frame(0x11, id: 6, flags: 1, payload: [1, 2]) + frame(0x11, id: 6, payload: [3])
            + frame(0x11, id: 8, payload: [])
        var decoder = FrameDecoder()
        decoder.append(stream)
        var seen: [String] = []
        while let next = try decoder.next(inPlace: { $0 == .response }, { type, id, bytes in (type, id, Array(bytes)) }) {
            switch next {
            case .inPlace(let (type, id, bytes)): seen.append("in place \(type) \(id) \(bytes == big ? "big" : "\(bytes)")")
            case .message(let m): seen.append("copied \(m.type) \(m.requestID) \(m.payload)")
            }
        }
        #expect(seen == ["in place RESPONSE 5 big", "copied LOG 5 [7, 7]", "in place RESPONSE 6 [1, 2, 3]", "in place RESPONSE 8 []"])
        try decoder.finish()
    }

    /// A message of many fragments, joined across several growths of its
    /// block and fed in reads of many sizes, is the same bytes whether it
    /// is read in place or copied out.
    @Test func largeFragmentedMessagesAreJoinedExactly() throws {
        let payload = (0..<3_000_001).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 12) }
        var stream: [UInt8] = []
        FrameEncoder.append(type: .request, requestID: 9, payload: payload, maxFrameBytes: 65_536, to: &stream)
        stream += frame(0x13, id: 0, payload: [1])
        for (chunk, inPlace) in [(4_096, true), (65_549, false), (1_000_003, true), (stream.count, false)] {
            var decoder = FrameDecoder()
            var joined: [[UInt8]] = []
            var types: [FrameType] = []
            var offset = 0
            while offset < stream.count {
                let end = min(offset + chunk, stream.count)
                decoder.append(stream[offset..<end])
                offset = end
                while let next = try decoder.next(inPlace: { _ in inPlace }, { type, _, bytes in (type, Array(bytes)) }) {
                    switch next {
                    case .inPlace(let (type, bytes)): types.append(type); joined.append(bytes)
                    case .message(let m): types.append(m.type); joined.append(m.payload)
                    }
                }
            }
            #expect(types == [.request, .log], "reads of \(chunk)")
            #expect(joined.first == payload, "reads of \(chunk)")
            #expect(joined.last == [1])
            try decoder.finish()
        }
    }

    /// The joined block grows by doubling but never past the message
    /// limit, and keeps every byte across growths.
    @Test func theJoinedBlockStopsGrowingAtTheLimit() {
        let assembly = MessageAssembly(type: .request, requestID: 1, limit: 100)
        let bytes = (0..<100).map { UInt8($0) }
        bytes.withUnsafeBytes { raw in
            assembly.append(UnsafeRawBufferPointer(rebasing: raw[0..<60]))
            #expect(assembly.capacity == 60)
            assembly.append(UnsafeRawBufferPointer(rebasing: raw[60..<70]))
            #expect(assembly.capacity == 100)  // not 120
            assembly.append(UnsafeRawBufferPointer(rebasing: raw[70..<100]))
            #expect(assembly.capacity == 100)
        }
        #expect(assembly.withBytes { Array($0) } == bytes)
        #expect(assembly.copy().withBytes { Array($0) } == bytes)
    }

    /// A decoder copied while a message is half joined is a value: each
    /// copy finishes its own message, and a cut-off one is reported as cut.
    @Test func aDecoderCopiedMidMessageKeepsItsOwnFragments() throws {
        var original = FrameDecoder()
        original.append(frame(0x11, id: 4, flags: 1, payload: [1, 2, 3]))
        #expect(try original.next() == nil)
        var copy = original
        original.append(frame(0x11, id: 4, payload: [4]))
        copy.append(frame(0x11, id: 4, flags: 1, payload: [5, 6]))
        #expect(try original.next()?.payload == [1, 2, 3, 4])
        #expect(try copy.next() == nil)
        #expect(copy.bufferedByteCount == 5)
        var third = copy
        copy.append(frame(0x11, id: 4, payload: [7]))
        #expect(try copy.next()?.payload == [1, 2, 3, 5, 6, 7])
        #expect(throws: WireError.self) { try third.finish() }
        third.append(frame(0x11, id: 4, payload: []))
        #expect(try third.next()?.payload == [1, 2, 3, 5, 6])
        try third.finish()
    }

    @Test func unknownFrameTypesDescribeThemselves() {
        #expect(FrameType(rawValue: 0x7E).description == "UNKNOWN(0x7E)")
        #expect(FrameType.cancel.description == "CANCEL")
    }
}
