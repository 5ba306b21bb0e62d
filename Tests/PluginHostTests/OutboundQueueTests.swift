import CSecScoreHostShims
import Glibc
@testable import PluginHost
import SecScoreWire
import Testing

/// The queue writes exactly the bytes `FrameEncoder` would, in order,
/// whatever mix of small frames and by-reference payloads it holds and
/// however often the pipe fills.
@Suite("Outbound queue")
struct OutboundQueueTests {
    typealias Frame = (type: FrameType, id: UInt32, payload: [UInt8])

    static func frames() -> [Frame] {
        func bytes(_ n: Int, _ seed: UInt8) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0) &+ seed } }
        return [
            (.hello, 0, bytes(10, 1)),
            (.request, 1, bytes(OutboundQueue.byReferenceBytes, 2)),  // by reference, right after a small frame
            (.request, 2, bytes(1 << 20, 3)),  // by reference, right after another
            (.cancel, 1, bytes(3, 4)),
            (.request, 3, bytes(OutboundQueue.byReferenceBytes - 1, 5)),  // just under: copied
            (.request, 4, bytes(300_000, 6)),  // over the frame limit below: fragments, each by reference
            (.request, 6, bytes(2 * (256 << 10), 7)),  // exactly two full frames, the first flagged MORE
            (.request, 7, bytes((256 << 10) + 1, 8)),  // one byte into a second frame
            (.ping, 5, []),
        ]
    }

    static let maxFrameBytes: UInt32 = 256 << 10

    static func expected() -> [UInt8] {
        var out: [UInt8] = []
        for f in frames() { FrameEncoder.append(type: f.type, requestID: f.id, payload: f.payload, maxFrameBytes: maxFrameBytes, to: &out) }
        return out
    }

    /// Writes through a 4 KiB non-blocking pipe, reading a little after each
    /// time it fills, and compares the stream.
    @Test func writesWhatTheEncoderWouldThroughAFullPipe() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0 && ss_set_nonblocking(fds[0], 1) == 0 && ss_set_nonblocking(fds[1], 1) == 0)
        defer { close(fds[0]); close(fds[1]) }
        _ = ss_set_pipe_size(fds[1], 4096)
        var queue = OutboundQueue()
        for f in Self.frames() { queue.append(type: f.type, requestID: f.id, payload: f.payload, maxFrameBytes: Self.maxFrameBytes) }
        #expect(!queue.isEmpty)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 3000)  // less than the pipe holds: partial writes land mid-frame
        var fills = 0
        while true {
            let outcome = queue.write(to: fds[1])
            if outcome == .drained { break }
            #expect(outcome == .wouldBlock)
            fills += 1
            let n = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            try #require(n > 0)
            received += chunk[..<n]
        }
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            received += chunk[..<n]
        }
        #expect(queue.isEmpty)
        #expect(fills > 100)
        #expect(received == Self.expected())
        // Drained, the queue is reusable.
        queue.append(type: .ping, requestID: 9, payload: [1], maxFrameBytes: Self.maxFrameBytes)
        #expect(queue.write(to: fds[1]) == .drained)
    }

    @Test func reportsAClosedReader() {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0 && ss_set_nonblocking(fds[1], 1) == 0)
        close(fds[0])
        defer { close(fds[1]) }
        // SIGPIPE blocked on this thread only, and taken once raised, so
        // the process's disposition (which other tests rely on) is untouched.
        var pipeSignal = sigset_t(), previous = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        var queue = OutboundQueue()
        queue.append(type: .request, requestID: 1, payload: [UInt8](repeating: 7, count: 100_000), maxFrameBytes: Self.maxFrameBytes)
        #expect(queue.write(to: fds[1]) == .failed(EPIPE))
        var now = timespec()
        _ = sigtimedwait(&pipeSignal, nil, &now)
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        queue.removeAll()
        #expect(queue.isEmpty)
    }
}
