/// A forward reader of protobuf's wire format (tags, varints, lengths)
/// that only finds where fields are: for deciding how to decode a payload
/// before decoding it. Anything malformed sets `malformed` and ends the
/// scan; the real decoder then reports it.
struct WireScan {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private(set) var malformed = false

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The next field's number and wire type, or nil at the end (or when
    /// the tag is malformed).
    mutating func nextTag() -> (field: UInt64, wireType: UInt8)? {
        guard index < bytes.count else { return nil }
        guard let tag = varint() else { return nil }
        return (tag >> 3, UInt8(tag & 7))
    }

    /// A length-delimited field's bytes (wire type 2), or nil when its
    /// length runs past the end.
    mutating func lengthDelimited() -> UnsafeRawBufferPointer? {
        guard let length = varint() else { return nil }
        guard length <= UInt64(bytes.count - index) else { malformed = true; return nil }
        let start = index
        index += Int(length)
        return UnsafeRawBufferPointer(rebasing: bytes[start..<index])
    }

    /// Skips a field of `wireType` (0, 1, 2 or 5; groups count as
    /// malformed). False when it cannot.
    mutating func skip(_ wireType: UInt8) -> Bool {
        switch wireType {
        case 0: return varint() != nil
        case 1: return advance(8)
        case 2: return lengthDelimited() != nil
        case 5: return advance(4)
        default:
            malformed = true
            return false
        }
    }

    private mutating func advance(_ n: Int) -> Bool {
        guard bytes.count - index >= n else { malformed = true; return false }
        index += n
        return true
    }

    private mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count, shift < 64 {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        malformed = true
        return nil
    }
}
