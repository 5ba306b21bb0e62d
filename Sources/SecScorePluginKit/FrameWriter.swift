import Glibc
import SecScoreWire

/// Writes a large message's frames to a blocking descriptor straight from
/// the payload: each frame's 12-byte header and its part of the payload go
/// out in one `writev(2)`, so the payload is never copied into a frame
/// buffer. Copying it was 9% of the alert-response plugin's time on the
/// 1,000,000-user tenant, and the copy's fresh pages were a quarter of its
/// page faults (perf, BENCHMARKS.md "isolation"). The frames are cut by
/// `FrameEncoder.forEachFrame`, as every writer cuts them.
enum FrameWriter {
    /// Payloads of at least this many bytes are written by `writeFrames`;
    /// smaller ones are cheaper to copy into one buffer and write once.
    static let directBytes = 64 << 10

    /// Writes `payload` as frames of at most `maxFrameBytes` to `fd`.
    /// Returns false when a write fails (the host stopped reading).
    static func writeFrames(
        fd: Int32, type: FrameType, requestID: UInt32, payload: [UInt8], maxFrameBytes: UInt32
    ) -> Bool {
        payload.withUnsafeBytes { raw in
            var header: [UInt8] = []
            header.reserveCapacity(FrameHeader.byteCount)
            return FrameEncoder.forEachFrame(payloadBytes: raw.count, maxFrameBytes: maxFrameBytes) { range, flags in
                header.removeAll(keepingCapacity: true)
                FrameHeader(type: type, flags: flags, requestID: requestID, length: UInt32(range.count)).write(into: &header)
                return header.withUnsafeBytes { head in writeAll(fd, head, UnsafeRawBufferPointer(rebasing: raw[range])) }
            }
        }
    }

    /// Writes `head` then `body` completely, retrying short writes and
    /// EINTR, and waiting for room should the descriptor be non-blocking.
    static func writeAll(_ fd: Int32, _ head: UnsafeRawBufferPointer, _ body: UnsafeRawBufferPointer) -> Bool {
        var headDone = 0, bodyDone = 0
        while headDone < head.count || bodyDone < body.count {
            var iov: [iovec] = []
            if headDone < head.count {
                iov.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: head.baseAddress! + headDone), iov_len: head.count - headDone))
            }
            if bodyDone < body.count {
                iov.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: body.baseAddress! + bodyDone), iov_len: body.count - bodyDone))
            }
            let n = writev(fd, iov, Int32(iov.count))
            if n < 0 {
                let err = errno
                if err == EINTR { continue }
                if err == EAGAIN || err == EWOULDBLOCK {
                    var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&pfd, 1, -1)
                    continue
                }
                return false
            }
            if n == 0 { return false }
            let fromHead = min(n, head.count - headDone)
            headDone += fromHead
            bodyDone += n - fromHead
        }
        return true
    }
}
