package import SwiftProtobuf

/// Protobuf's binary wire format read over bytes that stay put: what the
/// hand-written decoders of the plain cases (the host's `FindingDecoder`,
/// the Swift SDK's `RequestDecoder`) share. Every read is bounds-checked
/// and nil when the bytes do not hold what it reads; those decoders then
/// give up and leave the payload to SwiftProtobuf, which words the error.
package struct ProtoReader {
    package let buffer: UnsafeRawBufferPointer
    package var offset = 0

    package init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    package var atEnd: Bool { offset == buffer.count }

    /// A varint of at most ten bytes whose value fits 64 bits.
    package mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < buffer.count {
            let b = buffer[offset]
            offset += 1
            if shift == 63, b > 1 { return nil }
            value |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return value }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }

    /// A field's number and wire type.
    package mutating func tag() -> (UInt64, UInt8)? {
        guard let t = varint(), t <= UInt64(UInt32.max), t >> 3 != 0 else { return nil }
        return (t >> 3, UInt8(t & 7))
    }

    package mutating func fixed64() -> UInt64? {
        guard buffer.count - offset >= 8 else { return nil }
        defer { offset += 8 }
        return UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// A length-delimited value, where it lies.
    package mutating func bytes() -> UnsafeRawBufferPointer? {
        guard let length = varint(), length <= UInt64(buffer.count - offset) else { return nil }
        let start = offset
        offset += Int(length)
        return UnsafeRawBufferPointer(rebasing: buffer[start..<offset])
    }

    /// A length-delimited value as a string; nil when it is not UTF-8.
    package mutating func string() -> String? {
        guard let raw = bytes() else { return nil }
        if raw.isEmpty { return "" }
        return String(validating: raw.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
    }

    /// Reads a string into `target`; false when there is none.
    package mutating func string(into target: inout String) -> Bool {
        guard let s = string() else { return false }
        target = s
        return true
    }

    /// Reads a string onto the end of `list`; false when there is none.
    package mutating func string(appendingTo list: inout [String]) -> Bool {
        guard let s = string() else { return false }
        list.append(s)
        return true
    }

    /// Reads a varint into `target` as SwiftProtobuf reads a bool (any
    /// nonzero value is true); false when there is none.
    package mutating func bool(into target: inout Bool) -> Bool {
        guard let v = varint() else { return false }
        target = v != 0
        return true
    }

    /// Reads a varint into `target` as an int64 (two's complement).
    package mutating func int64(into target: inout Int64) -> Bool {
        guard let v = varint() else { return false }
        target = Int64(bitPattern: v)
        return true
    }

    /// An enum's raw value as SwiftProtobuf reads it: the varint cut to 32
    /// bits, sign and all.
    package mutating func enumRawValue() -> Int? {
        varint().map { Int(Int32(truncatingIfNeeded: $0)) }
    }

    /// Reads an enum's value into `target`, as SwiftProtobuf does (an
    /// open proto3 enum takes any value).
    package mutating func enumeration<E: SwiftProtobuf.Enum>(into target: inout E) -> Bool {
        guard let raw = enumRawValue(), let e = E(rawValue: raw) else { return false }
        target = e
        return true
    }

    /// Reads a fixed64 into `target` as a double (every bit kept: -0.0, NaN).
    package mutating func double(into target: inout Double) -> Bool {
        guard let v = fixed64() else { return false }
        target = Double(bitPattern: v)
        return true
    }

    /// A length-delimited message, decoded by `decode`; false when the
    /// bytes end early or `decode` gives nil.
    package mutating func message<M>(into target: inout M, _ decode: (UnsafeRawBufferPointer) -> M?) -> Bool {
        guard let body = bytes(), let m = decode(body) else { return false }
        target = m
        return true
    }

    /// As `message(into:_:)`, appended to `list`.
    package mutating func message<M>(appendingTo list: inout [M], _ decode: (UnsafeRawBufferPointer) -> M?) -> Bool {
        guard let body = bytes(), let m = decode(body) else { return false }
        list.append(m)
        return true
    }

    /// Reads the fields of one message in `bytes`, handing each field's
    /// number and wire type to `field`, which reads its value and returns
    /// false for anything it does not take. False when a field was not
    /// taken, a field not `repeated` came twice (protobuf would merge it
    /// or let the last win: the plain case has neither), or the bytes end
    /// inside a field.
    package static func fields(
        of bytes: UnsafeRawBufferPointer, repeated: (UInt64) -> Bool = { _ in false },
        _ field: (inout ProtoReader, UInt64, UInt8) -> Bool
    ) -> Bool {
        var r = ProtoReader(bytes)
        var seen: UInt64 = 0  // the singular fields met so far (numbers under 64)
        while !r.atEnd {
            guard let (number, wireType) = r.tag() else { return false }
            if number < 64, !repeated(number) {
                guard seen & (1 << number) == 0 else { return false }
                seen |= 1 << number
            }
            guard field(&r, number, wireType) else { return false }
        }
        return true
    }
}
