/// The fixed 12-byte, big-endian header in front of every frame payload.
///
/// ```
/// offset 0  magic      2 bytes  0xF5 0x53
/// offset 2  type       1 byte   FrameType
/// offset 3  flags      1 byte   FrameFlags
/// offset 4  request id 4 bytes  0 for session frames
/// offset 8  length     4 bytes  payload bytes that follow
/// ```
///
/// The magic's first byte, 0xF5, never occurs in UTF-8 text, so a plugin that
/// prints to its stdout is caught at the first byte it writes.
public struct FrameHeader: Hashable, Sendable {
    public static let magic: (UInt8, UInt8) = (0xF5, 0x53)
    public static let byteCount = 12

    public var type: FrameType
    public var flags: FrameFlags
    public var requestID: UInt32
    public var length: UInt32

    public init(type: FrameType, flags: FrameFlags = [], requestID: UInt32 = 0, length: UInt32) {
        self.type = type
        self.flags = flags
        self.requestID = requestID
        self.length = length
    }

    /// Appends the 12 header bytes to `buffer`.
    public func write(into buffer: inout [UInt8]) {
        buffer.append(FrameHeader.magic.0)
        buffer.append(FrameHeader.magic.1)
        buffer.append(type.rawValue)
        buffer.append(flags.rawValue)
        Self.appendBigEndian(requestID, to: &buffer)
        Self.appendBigEndian(length, to: &buffer)
    }

    /// Reads a header from the first 12 bytes of `bytes`.
    /// - Throws: `WireError` with code `.badMagic` when the magic is wrong.
    public static func read(from bytes: UnsafeRawBufferPointer, offset: Int = 0) throws(WireError) -> FrameHeader {
        precondition(bytes.count - offset >= byteCount)
        guard bytes[offset] == magic.0, bytes[offset + 1] == magic.1 else {
            let shown = Array(bytes[offset..<min(bytes.count, offset + 16)])
            throw WireError.badMagic(found: shown)
        }
        return FrameHeader(
            type: FrameType(rawValue: bytes[offset + 2]),
            flags: FrameFlags(rawValue: bytes[offset + 3]),
            requestID: readBigEndian(bytes, offset + 4),
            length: readBigEndian(bytes, offset + 8)
        )
    }

    @inline(__always)
    static func appendBigEndian(_ value: UInt32, to buffer: inout [UInt8]) {
        buffer.append(UInt8(truncatingIfNeeded: value >> 24))
        buffer.append(UInt8(truncatingIfNeeded: value >> 16))
        buffer.append(UInt8(truncatingIfNeeded: value >> 8))
        buffer.append(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always)
    static func readBigEndian(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }
}
