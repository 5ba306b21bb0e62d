#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Protobuf's binary wire format read over bytes that stay put: what the
/// hand-written decoders of the plain cases (the host's `FindingDecoder`,
/// the Swift SDK's `RequestDecoder`) share. Every read is bounds-checked
/// and nil when the bytes do not hold what it reads; those decoders then
/// give up and leave the payload to SwiftProtobuf, which words the error.
///
/// Inlinable and not generic: called from other modules, generic reads
/// ran unspecialised and looked up generic metadata at run time for every
/// field (perf of the `codec` benchmark); the decoders keep their generic
/// helpers to themselves, where they are specialised.
package struct ProtoReader {
    package let buffer: UnsafeRawBufferPointer
    package var offset = 0

    @inlinable package init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    @inlinable package var atEnd: Bool { offset == buffer.count }

    /// A varint of at most ten bytes whose value fits 64 bits.
    @inlinable package mutating func varint() -> UInt64? {
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
    @inlinable package mutating func tag() -> (UInt64, UInt8)? {
        guard let t = varint(), t <= UInt64(UInt32.max), t >> 3 != 0 else { return nil }
        return (t >> 3, UInt8(t & 7))
    }

    @inlinable package mutating func fixed64() -> UInt64? {
        guard buffer.count - offset >= 8 else { return nil }
        defer { offset += 8 }
        return UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// A length-delimited value, where it lies.
    @inlinable package mutating func bytes() -> UnsafeRawBufferPointer? {
        guard let length = varint(), length <= UInt64(buffer.count - offset) else { return nil }
        let start = offset
        offset += Int(length)
        return UnsafeRawBufferPointer(rebasing: buffer[start..<offset])
    }

    /// A length-delimited value as a string; nil when it is not UTF-8.
    @inlinable package mutating func string() -> String? {
        guard let raw = bytes() else { return nil }
        if raw.isEmpty { return "" }
        let utf8 = raw.assumingMemoryBound(to: UInt8.self)
        // `String(validating:as:)` reaches a generic validator that looks
        // up metadata on every call: most of the time of decoding a request
        // of short strings (perf, the `codec` benchmark). `String(decoding:)`
        // is specialised but repairs invalid UTF-8 instead of refusing it,
        // so a short string is valid exactly when it gives back its bytes.
        guard utf8.count <= 256 else { return String(validating: utf8, as: UTF8.self) }
        var s = String(decoding: utf8, as: UTF8.self)
        // memcmp: the generic elementsEqual went byte by byte (perf).
        return s.withUTF8 { $0.count == utf8.count && memcmp($0.baseAddress!, utf8.baseAddress!, utf8.count) == 0 } ? s : nil
    }

    /// Reads a string into `target`; false when there is none.
    @inlinable package mutating func string(into target: inout String) -> Bool {
        guard let s = string() else { return false }
        target = s
        return true
    }

    /// Reads a string onto the end of `list`; false when there is none.
    @inlinable package mutating func string(appendingTo list: inout [String]) -> Bool {
        guard let s = string() else { return false }
        list.append(s)
        return true
    }

    /// Reads a varint into `target` as SwiftProtobuf reads a bool (any
    /// nonzero value is true); false when there is none.
    @inlinable package mutating func bool(into target: inout Bool) -> Bool {
        guard let v = varint() else { return false }
        target = v != 0
        return true
    }

    /// Reads a varint into `target` as an int64 (two's complement).
    @inlinable package mutating func int64(into target: inout Int64) -> Bool {
        guard let v = varint() else { return false }
        target = Int64(bitPattern: v)
        return true
    }

    /// An enum's raw value as SwiftProtobuf reads it: the varint cut to 32
    /// bits, sign and all.
    @inlinable package mutating func enumRawValue() -> Int? {
        varint().map { Int(Int32(truncatingIfNeeded: $0)) }
    }

    /// Reads a fixed64 into `target` as a double (every bit kept: -0.0, NaN).
    @inlinable package mutating func double(into target: inout Double) -> Bool {
        guard let v = fixed64() else { return false }
        target = Double(bitPattern: v)
        return true
    }

    /// Reads the fields of one message in `bytes`, handing each field's
    /// number and wire type to `field`, which reads its value and returns
    /// false for anything it does not take. False when a field was not
    /// taken, a field not `repeated` came twice (protobuf would merge it
    /// or let the last win: the plain case has neither), or the bytes end
    /// inside a field.
    @inlinable package static func fields(
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
