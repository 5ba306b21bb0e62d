import DequeModule
import Glibc
import SecScoreWire
import SwiftProtobuf

/// Frames waiting to be written to a plugin's stdin, in order, without
/// blocking.
///
/// Frames are encoded into one reused buffer, except the payload of a large
/// message, which is queued by reference where it belongs in that buffer
/// (each fragment's part, when it is cut into frames) and written from the
/// caller's array with `writev(2)`: copying it into the buffer was a pass
/// over every byte of a 1 MiB request (BENCHMARKS.md, "1 MiB"), and for
/// the 1,000,000-user tenant's 44 MB request a second copy held while the
/// plugin read it. Not thread-safe: the connection's state lock guards it.
struct OutboundQueue {
    /// Payloads of at least this many bytes are queued by reference.
    static let byReferenceBytes = 64 << 10
    /// A buffer grown past this is dropped once drained, not kept.
    static let keptCapacity = 8 << 20

    /// What `write(to:)` achieved.
    enum WriteOutcome: Equatable {
        /// Everything queued was written.
        case drained
        /// The pipe is full; bytes remain.
        case wouldBlock
        /// The write failed with this errno (EPIPE: the plugin closed stdin).
        case failed(Int32)
    }

    private struct Insert {
        /// Offset in `bytes` before which the payload goes.
        var at: Int
        /// The payload, or the fragment's part of it.
        var payload: ArraySlice<UInt8>
        var written = 0
    }

    private var bytes: [UInt8] = []
    private var start = 0
    private var inserts: Deque<Insert> = []

    var isEmpty: Bool { start == bytes.count && inserts.isEmpty }

    /// Queues `payload` as one or more frames (fragments above `maxFrameBytes`).
    mutating func append(type: FrameType, requestID: UInt32, payload: [UInt8], maxFrameBytes: UInt32) {
        guard payload.count >= Self.byReferenceBytes else {
            FrameEncoder.append(type: type, requestID: requestID, payload: payload, maxFrameBytes: maxFrameBytes, to: &bytes)
            return
        }
        FrameEncoder.forEachFrame(payloadBytes: payload.count, maxFrameBytes: maxFrameBytes) { range, flags in
            FrameHeader(type: type, flags: flags, requestID: requestID, length: UInt32(range.count)).write(into: &bytes)
            inserts.append(Insert(at: bytes.count, payload: payload[range]))
            return true
        }
    }

    /// Serialises `message` and queues it.
    mutating func append(_ message: some SwiftProtobuf.Message, type: FrameType, requestID: UInt32, maxFrameBytes: UInt32) throws {
        let payload: [UInt8] = try message.serializedBytes()
        append(type: type, requestID: requestID, payload: payload, maxFrameBytes: maxFrameBytes)
    }

    /// Drops everything queued.
    mutating func removeAll() {
        bytes.removeAll()
        start = 0
        inserts.removeAll()
    }

    /// Writes queued bytes to `fd` (non-blocking) until they are all
    /// written, the pipe is full, or a write fails.
    mutating func write(to fd: Int32) -> WriteOutcome {
        while true {
            let end = inserts.first?.at ?? bytes.count
            let payloadWritten = inserts.first?.written ?? 0
            guard start < end || !inserts.isEmpty else { break }
            let n: Int = bytes.withUnsafeBytes { buffered in
                let head = UnsafeRawBufferPointer(rebasing: buffered[start..<end])
                guard let payload = inserts.first?.payload else {
                    return Glibc.write(fd, head.baseAddress, head.count)
                }
                return payload.withUnsafeBytes { raw in  // the slice's own bytes
                    var iov = [
                        iovec(iov_base: UnsafeMutableRawPointer(mutating: head.baseAddress), iov_len: head.count),
                        iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + payloadWritten),
                              iov_len: raw.count - payloadWritten),
                    ]
                    // An empty head stays out: some kernels refuse a null base.
                    return head.isEmpty ? writev(fd, &iov[1], 1) : writev(fd, &iov, 2)
                }
            }
            if n == 0 { return .wouldBlock }  // not for a pipe; never spin on it
            if n < 0 {
                let err = errno
                if err == EINTR { continue }
                return err == EAGAIN || err == EWOULDBLOCK ? .wouldBlock : .failed(err)
            }
            let fromHead = min(n, end - start)
            start += fromHead
            if n > fromHead {
                inserts[inserts.startIndex].written += n - fromHead
                if inserts[inserts.startIndex].written == inserts[inserts.startIndex].payload.count {
                    inserts.removeFirst()
                }
            }
        }
        if bytes.capacity > Self.keptCapacity {
            bytes = []
        } else {
            bytes.removeAll(keepingCapacity: true)
        }
        start = 0
        return .drained
    }
}
