public import SwiftProtobuf

/// Writes messages as frames, splitting payloads larger than the peer's
/// frame limit into fragments flagged `.more`.
public enum FrameEncoder {
    /// Appends `payload` as one or more frames to `buffer`.
    ///
    /// The common case, a byte array that fits one frame, takes a
    /// non-generic path: the generic one is not specialised across modules,
    /// and its slicing was 10-13% of a small round trip in both the host and
    /// the Swift SDK (perf, BENCHMARKS.md "rpc").
    public static func append(
        type: FrameType,
        requestID: UInt32,
        payload: [UInt8],
        maxFrameBytes: UInt32,
        to buffer: inout [UInt8]
    ) {
        guard payload.count <= Int(max(maxFrameBytes, 1)) else {
            appendFragments(type: type, requestID: requestID, payload: payload, maxFrameBytes: maxFrameBytes, to: &buffer)
            return
        }
        buffer.reserveCapacity(buffer.count + FrameHeader.byteCount + payload.count)
        FrameHeader(type: type, flags: [], requestID: requestID, length: UInt32(payload.count)).write(into: &buffer)
        buffer.append(contentsOf: payload)
    }

    /// Appends `payload` as one or more frames to `buffer`.
    public static func append(
        type: FrameType,
        requestID: UInt32,
        payload: some Collection<UInt8>,
        maxFrameBytes: UInt32,
        to buffer: inout [UInt8]
    ) {
        appendFragments(type: type, requestID: requestID, payload: payload, maxFrameBytes: maxFrameBytes, to: &buffer)
    }

    private static func appendFragments(
        type: FrameType,
        requestID: UInt32,
        payload: some Collection<UInt8>,
        maxFrameBytes: UInt32,
        to buffer: inout [UInt8]
    ) {
        let limit = Int(max(maxFrameBytes, 1))
        buffer.reserveCapacity(buffer.count + payload.count + FrameHeader.byteCount * (payload.count / limit + 1))
        var start = payload.startIndex
        forEachFrame(payloadBytes: payload.count, maxFrameBytes: maxFrameBytes) { range, flags in
            let end = payload.index(start, offsetBy: range.count)
            FrameHeader(type: type, flags: flags, requestID: requestID, length: UInt32(range.count)).write(into: &buffer)
            buffer.append(contentsOf: payload[start..<end])
            start = end
            return true
        }
    }

    /// How a payload of `payloadBytes` bytes is cut into frames: calls
    /// `frame` with each frame's byte range in the payload and its flags,
    /// in order (full frames of `maxFrameBytes` flagged MORE, then the rest;
    /// one empty frame for an empty payload). Stops when `frame` returns
    /// false, and then returns false. The one definition of the cut, for
    /// the writers that send a payload's frames without copying it (the
    /// host's `OutboundQueue`, the Swift SDK's `FrameWriter`).
    @discardableResult
    public static func forEachFrame(
        payloadBytes: Int, maxFrameBytes: UInt32, _ frame: (Range<Int>, FrameFlags) -> Bool
    ) -> Bool {
        let limit = Int(max(maxFrameBytes, 1))
        var offset = 0
        repeat {
            let end = min(offset + limit, payloadBytes)
            guard frame(offset..<end, end < payloadBytes ? [.more] : []) else { return false }
            offset = end
        } while offset < payloadBytes
        return true
    }

    /// Serialises `message` and appends it as frames to `buffer`.
    public static func append(
        _ message: some SwiftProtobuf.Message,
        type: FrameType,
        requestID: UInt32,
        maxFrameBytes: UInt32,
        to buffer: inout [UInt8]
    ) throws {
        let payload: [UInt8] = try message.serializedBytes()
        append(type: type, requestID: requestID, payload: payload, maxFrameBytes: maxFrameBytes, to: &buffer)
    }

    /// The frames of `message` as a new byte array.
    public static func encode(
        _ message: some SwiftProtobuf.Message,
        type: FrameType,
        requestID: UInt32 = 0,
        maxFrameBytes: UInt32 = ProtocolLimits.defaultMaxFrameBytes
    ) throws -> [UInt8] {
        var buffer: [UInt8] = []
        try append(message, type: type, requestID: requestID, maxFrameBytes: maxFrameBytes, to: &buffer)
        return buffer
    }
}
