import Foundation
@testable import SecScorePluginKit
import SecScoreWire
import Synchronization
import Testing

private final class Outcome: Sendable {
    let written = Mutex(false)
}

/// `FrameWriter` puts on the wire exactly the frames `FrameEncoder` cuts,
/// through short writes and a full non-blocking pipe, and reports a closed
/// pipe instead of hanging.
@Suite("Frame writer")
struct FrameWriterTests {
    /// Writes with `FrameWriter` on a thread while this one reads the pipe
    /// to its end; returns the bytes read. `readChunk` small makes the
    /// writer meet a full pipe (and short writes) again and again.
    private func roundTrip(
        payload: [UInt8], maxFrameBytes: UInt32, nonBlocking: Bool, readChunk: Int = 1 << 16
    ) throws -> (bytes: [UInt8], written: Bool) {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let (readFD, writeFD) = (fds[0], fds[1])
        if nonBlocking { _ = fcntl(writeFD, F_SETFL, fcntl(writeFD, F_GETFL) | O_NONBLOCK) }
        let result = Outcome()
        let writer = Thread {
            let ok = FrameWriter.writeFrames(
                fd: writeFD, type: .response, requestID: 7, payload: payload, maxFrameBytes: maxFrameBytes)
            result.written.withLock { $0 = ok }
            close(writeFD)
        }
        writer.start()
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: readChunk)
        while true {
            let n = read(readFD, &chunk, chunk.count)
            if n <= 0 { break }
            received += chunk[..<n]
        }
        close(readFD)
        return (received, result.written.withLock { $0 })
    }

    @Test(arguments: [
        (count: 64 << 10, limit: UInt32(4 << 20)),  // one frame
        (count: (1 << 20) + 3, limit: UInt32(64 << 10)),  // many frames and a short last one
        (count: 200_000, limit: UInt32(100_000)),  // exactly two full frames
        (count: 300_001, limit: UInt32(1_000)),  // hundreds of small frames
    ])
    func writesTheFramesFrameEncoderCuts(count: Int, limit: UInt32) throws {
        let payload = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        var expected: [UInt8] = []
        FrameEncoder.append(type: .response, requestID: 7, payload: payload, maxFrameBytes: limit, to: &expected)
        for nonBlocking in [false, true] {
            let (bytes, written) = try roundTrip(payload: payload, maxFrameBytes: limit, nonBlocking: nonBlocking, readChunk: 4_093)
            #expect(written)
            #expect(bytes.count == expected.count)
            #expect(bytes == expected, "nonBlocking \(nonBlocking)")
        }
    }

    @Test func aClosedPipeIsReportedNotWaitedOn() throws {
        signal(SIGPIPE, SIG_IGN)  // as PluginRuntime does: EPIPE, not a signal
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        close(fds[0])
        let ok = FrameWriter.writeFrames(
            fd: fds[1], type: .response, requestID: 1, payload: [UInt8](repeating: 9, count: 1 << 20), maxFrameBytes: 64 << 10)
        close(fds[1])
        #expect(!ok)
    }
}
