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
        var r = ProtoReader(payload)
        guard let (field, wireType) = r.tag(), field == 1, wireType == 2, let body = r.bytes(), r.atEnd,
              let finding = finding(body)
        else { return nil }
        var response = Secscore_Plugin_V1_EvaluateResponse()
        response.finding = finding
        return response
    }

    private static func finding(_ bytes: UnsafeRawBufferPointer) -> Secscore_Plugin_V1_Finding? {
        var f = Secscore_Plugin_V1_Finding()
        let read = ProtoReader.fields(of: bytes, repeated: { $0 == 3 }) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &f.requirementID)
            case (2, 0):
                guard let raw = r.enumRawValue(), let status = Secscore_Plugin_V1_FindingStatus(rawValue: raw) else { return false }
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
        let read = ProtoReader.fields(of: bytes, repeated: { _ in true }) { r, field, wireType in
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
        let read = ProtoReader.fields(of: bytes) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.name)
            case (2, 1): return r.double(into: &m.value)
            case (3, 2): return r.string(into: &m.unit)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func item(_ bytes: UnsafeRawBufferPointer) -> Secscore_Plugin_V1_EvidenceItem? {
        var item = Secscore_Plugin_V1_EvidenceItem()
        let read = ProtoReader.fields(of: bytes, repeated: { $0 >= 5 }) { r, field, wireType in
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
        let read = ProtoReader.fields(of: bytes) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &a.name)
            case (2, 2): return r.string(into: &a.value)
            default: return false
            }
        }
        return read ? a : nil
    }
}
