import SecScoreWire

/// A RESPONSE payload holding a finding, decoded where it lies in the read
/// buffer without SwiftProtobuf's generic decoder: each string is checked
/// as UTF-8 and copied once, straight into the `String` the host keeps.
///
/// Written here for a measured need: through SwiftProtobuf, a 1 MiB
/// insight was copied into a `Data` and then into its `String` (perf of
/// the 1 MiB benchmark: 2.4% and 2.9% of all CPU, beside the host's single
/// necessary copy out of the pipe), and every small answer paid the
/// generic visitor's per-field dispatch.
///
/// Only the plain case is decoded here: an `EvaluateResponse` whose one
/// field is the finding, every field of it known to plugin.proto with its
/// declared wire type, no singular field twice (protobuf would merge or
/// let the last win), every string valid UTF-8. Anything else gets nil and
/// goes to `ResponseDecoding`'s SwiftProtobuf paths, which decide what it
/// means and word every error, so what is accepted, refused and reported
/// is theirs. `FindingDecoderTests` hold the two to the same result on
/// generated findings and on corrupted ones.
enum FindingDecoder {
    /// The fields read, by message: what the tests compare with
    /// plugin.proto (a field added there is then left to SwiftProtobuf,
    /// as an unknown one, until it is read here).
    static let decodedFields: [String: [Int]] = [
        "EvaluateResponse": [1],
        "Finding": [1, 2, 3, 4],
        "Evidence": [1, 2],
        "Metric": [1, 2, 3],
        "EvidenceItem": [1, 2, 3, 4, 5, 6],
        "Attribute": [1, 2],
    ]

    /// The decoded response; nil for anything but the plain case above.
    static func evaluateResponse(_ payload: UnsafeRawBufferPointer) -> Secscore_Plugin_V1_EvaluateResponse? {
        var r = Reader(payload)
        guard let (field, wireType) = r.tag(), field == 1, wireType == 2, let body = r.bytes(), r.atEnd,
              let finding = finding(body)
        else { return nil }
        var response = Secscore_Plugin_V1_EvaluateResponse()
        response.finding = finding
        return response
    }

    private static func finding(_ bytes: UnsafeRawBufferPointer) -> Secscore_Plugin_V1_Finding? {
        var f = Secscore_Plugin_V1_Finding()
        let read = fields(of: bytes, repeated: { $0 == 3 }) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &f.requirementID)
            case (2, 0):
                // As SwiftProtobuf reads an enum: the varint cut to 32 bits.
                guard let v = r.varint(), let status = Secscore_Plugin_V1_FindingStatus(rawValue: Int(Int32(truncatingIfNeeded: v)))
                else { return false }
                f.status = status
                return true
            case (3, 2): return r.string(appendingTo: &f.insights)
            case (4, 2):
                guard let body = r.bytes(), let e = evidence(body) else { return false }
                f.evidence = e
                return true
            default: return false
            }
        }
        return read ? f : nil
    }

    private static func evidence(_ bytes: UnsafeRawBufferPointer) -> Secscore_Plugin_V1_Evidence? {
        var e = Secscore_Plugin_V1_Evidence()
        let read = fields(of: bytes, repeated: { _ in true }) { r, field, wireType in
            guard wireType == 2, let body = r.bytes() else { return false }
            switch field {
            case 1: guard let m = metric(body) else { return false }; e.metrics.append(m)
            case 2: guard let item = item(body) else { return false }; e.items.append(item)
            default: return false
            }
            return true
        }
        return read ? e : nil
    }

    private static func metric(_ bytes: UnsafeRawBufferPointer) -> Secscore_Plugin_V1_Metric? {
        var m = Secscore_Plugin_V1_Metric()
        let read = fields(of: bytes) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.name)
            case (2, 1):
                guard let v = r.fixed64() else { return false }
                m.value = Double(bitPattern: v)
                return true
            case (3, 2): return r.string(into: &m.unit)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func item(_ bytes: UnsafeRawBufferPointer) -> Secscore_Plugin_V1_EvidenceItem? {
        var item = Secscore_Plugin_V1_EvidenceItem()
        let read = fields(of: bytes, repeated: { $0 >= 5 }) { r, field, wireType in
            guard wireType == 2 else { return false }
            switch field {
            case 1: return r.string(into: &item.kind)
            case 2: return r.string(into: &item.id)
            case 3: return r.string(into: &item.name)
            case 4: return r.string(into: &item.status)
            case 5: return r.string(appendingTo: &item.reasons)
            case 6:
                guard let body = r.bytes(), let a = attribute(body) else { return false }
                item.attributes.append(a)
                return true
            default: return false
            }
        }
        return read ? item : nil
    }

    private static func attribute(_ bytes: UnsafeRawBufferPointer) -> Secscore_Plugin_V1_Attribute? {
        var a = Secscore_Plugin_V1_Attribute()
        let read = fields(of: bytes) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &a.name)
            case (2, 2): return r.string(into: &a.value)
            default: return false
            }
        }
        return read ? a : nil
    }

    /// Reads the fields of one message in `bytes`, handing each field's
    /// number and wire type to `field`, which reads its value and returns
    /// false for anything it does not take. False when a field was not
    /// taken, a field not `repeated` came twice, or the bytes end inside a
    /// field.
    private static func fields(
        of bytes: UnsafeRawBufferPointer, repeated: (UInt64) -> Bool = { _ in false },
        _ field: (inout Reader, UInt64, UInt8) -> Bool
    ) -> Bool {
        var r = Reader(bytes)
        var seen = Seen()
        while !r.atEnd {
            guard let (number, wireType) = r.tag(), seen.once(number, singular: !repeated(number)), field(&r, number, wireType)
            else { return false }
        }
        return true
    }

    /// The singular fields of one message met so far (numbers under 64).
    private struct Seen {
        var bits: UInt64 = 0

        /// False when `field` is singular and was met before.
        mutating func once(_ field: UInt64, singular: Bool) -> Bool {
            guard singular, field < 64 else { return true }
            defer { bits |= 1 << field }
            return bits & (1 << field) == 0
        }
    }

    /// Protobuf's binary wire format over bytes that stay put; every read
    /// is bounds-checked and nil when the bytes do not hold what it reads.
    private struct Reader {
        let buffer: UnsafeRawBufferPointer
        var offset = 0

        init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

        var atEnd: Bool { offset == buffer.count }

        /// A varint of at most ten bytes whose value fits 64 bits.
        mutating func varint() -> UInt64? {
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
        mutating func tag() -> (UInt64, UInt8)? {
            guard let t = varint(), t <= UInt64(UInt32.max), t >> 3 != 0 else { return nil }
            return (t >> 3, UInt8(t & 7))
        }

        mutating func fixed64() -> UInt64? {
            guard buffer.count - offset >= 8 else { return nil }
            defer { offset += 8 }
            return UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }

        /// A length-delimited value, where it lies.
        mutating func bytes() -> UnsafeRawBufferPointer? {
            guard let length = varint(), length <= UInt64(buffer.count - offset) else { return nil }
            let start = offset
            offset += Int(length)
            return UnsafeRawBufferPointer(rebasing: buffer[start..<offset])
        }

        /// A length-delimited value as a string; nil when it is not UTF-8.
        mutating func string() -> String? {
            guard let raw = bytes() else { return nil }
            if raw.isEmpty { return "" }
            return String(validating: raw.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
        }

        /// Reads a string into `target`; false when there is none.
        mutating func string(into target: inout String) -> Bool {
            guard let s = string() else { return false }
            target = s
            return true
        }

        /// Reads a string onto the end of `list`; false when there is none.
        mutating func string(appendingTo list: inout [String]) -> Bool {
            guard let s = string() else { return false }
            list.append(s)
            return true
        }
    }
}
