import SecScoreWire
import SwiftProtobuf

/// A finding's EVALUATE RESPONSE (`EvaluateResponse{finding}`) in
/// protobuf's binary encoding, written without SwiftProtobuf's generic
/// visitors.
///
/// Written here for a measured need: with the checks as plugins, encoding
/// their findings was 6.6% of the CPU of evaluating the 1,000,000-user
/// benchmark tenant (perf, all processes), a third of what the process
/// boundary costs there (BENCHMARKS.md, "What stands in the way"). This
/// writes the same bytes as `serializedBytes()` (fields in number order,
/// proto3 defaults left out, lengths as varints) in one sized pass and one
/// write pass over concrete types.
///
/// `FindingEncoderTests` compare the bytes with SwiftProtobuf's over
/// generated findings and hold `encodedFields` to plugin.proto, so a field
/// added there fails the tests until it is written here. A finding holding
/// unknown fields (decoded from a newer peer) gets nil: SwiftProtobuf
/// encodes those.
///
/// One difference is on purpose: a finding of 2 GiB or more, which
/// SwiftProtobuf refuses to encode, is encoded here, and the session then
/// refuses it by its size against the host's message limit (far smaller),
/// which names that size and the limit.
enum FindingEncoder {
    /// The fields written, by message: what the tests compare with
    /// plugin.proto.
    static let encodedFields: [String: [Int]] = [
        "EvaluateResponse": [1],  // the finding; the error is SwiftProtobuf's
        "Finding": [1, 2, 3, 4],
        "Evidence": [1, 2],
        "Metric": [1, 2, 3],
        "EvidenceItem": [1, 2, 3, 4, 5, 6],
        "Attribute": [1, 2],
    ]

    /// The encoded `EvaluateResponse` whose result is `finding`; nil when a
    /// message in it has unknown fields.
    static func evaluateResponse(_ finding: Secscore_Plugin_V1_Finding) -> [UInt8]? {
        let none = SwiftProtobuf.UnknownStorage()
        guard finding.unknownFields == none else { return nil }
        let evidence: Secscore_Plugin_V1_Evidence? = finding.hasEvidence ? finding.evidence : nil
        // Each item's size is needed twice (its length prefix, then the
        // enclosing sizes): computed once.
        var itemSizes: [Int] = []
        var evidenceSize = 0
        if let evidence {
            guard evidence.unknownFields == none else { return nil }
            for metric in evidence.metrics {
                guard metric.unknownFields == none else { return nil }
                evidenceSize += nested(metricSize(metric))
            }
            itemSizes.reserveCapacity(evidence.items.count)
            for item in evidence.items {
                guard item.unknownFields == none else { return nil }
                var size = string(item.kind) + string(item.id) + string(item.name) + string(item.status)
                for reason in item.reasons { size += nested(reason.utf8.count) }
                for attribute in item.attributes {
                    guard attribute.unknownFields == none else { return nil }
                    size += nested(string(attribute.name) + string(attribute.value))
                }
                itemSizes.append(size)
                evidenceSize += nested(size)
            }
        }
        let status = UInt64(bitPattern: Int64(finding.status.rawValue))
        var findingSize = string(finding.requirementID) + (status == 0 ? 0 : 1 + varintSize(status))
        for insight in finding.insights { findingSize += nested(insight.utf8.count) }
        if evidence != nil { findingSize += nested(evidenceSize) }
        let total = nested(findingSize)

        return [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            var w = Writer(base: buffer.baseAddress!)
            w.tag(1, 2, length: findingSize)
            w.string(1, finding.requirementID)
            if status != 0 {
                w.byte(2 << 3)
                w.varint(status)
            }
            for insight in finding.insights { w.string(3, insight, always: true) }
            if let evidence {
                w.tag(4, 2, length: evidenceSize)
                for metric in evidence.metrics {
                    w.tag(1, 2, length: metricSize(metric))
                    w.string(1, metric.name)
                    if metric.value.bitPattern != 0 {
                        w.byte(2 << 3 | 1)
                        w.fixed64(metric.value.bitPattern)
                    }
                    w.string(3, metric.unit)
                }
                for (item, size) in zip(evidence.items, itemSizes) {
                    w.tag(2, 2, length: size)
                    w.string(1, item.kind)
                    w.string(2, item.id)
                    w.string(3, item.name)
                    w.string(4, item.status)
                    for reason in item.reasons { w.string(5, reason, always: true) }
                    for attribute in item.attributes {
                        w.tag(6, 2, length: string(attribute.name) + string(attribute.value))
                        w.string(1, attribute.name)
                        w.string(2, attribute.value)
                    }
                }
            }
            count = w.offset
            precondition(count == total, "FindingEncoder sized \(total) bytes and wrote \(count)")
        }
    }

    private static func metricSize(_ metric: Secscore_Plugin_V1_Metric) -> Int {
        string(metric.name) + (metric.value.bitPattern == 0 ? 0 : 9) + string(metric.unit)
    }

    /// A singular string field's size: nothing when empty (proto3).
    private static func string(_ s: String) -> Int {
        let n = s.utf8.count
        return n == 0 ? 0 : nested(n)
    }

    /// A length-delimited field's size (every field number here is under
    /// 16, so its tag is one byte).
    private static func nested(_ length: Int) -> Int {
        1 + varintSize(UInt64(length)) + length
    }

    private static func varintSize(_ v: UInt64) -> Int {
        v == 0 ? 1 : (64 - v.leadingZeroBitCount + 6) / 7
    }

    private struct Writer {
        let base: UnsafeMutablePointer<UInt8>
        var offset = 0

        mutating func byte(_ b: UInt8) {
            base[offset] = b
            offset += 1
        }

        mutating func varint(_ value: UInt64) {
            var v = value
            while v >= 0x80 {
                byte(UInt8(truncatingIfNeeded: v) | 0x80)
                v >>= 7
            }
            byte(UInt8(v))
        }

        mutating func fixed64(_ value: UInt64) {
            // storeBytes takes any alignment (SE-0349).
            UnsafeMutableRawPointer(base + offset).storeBytes(of: value.littleEndian, as: UInt64.self)
            offset += 8
        }

        mutating func tag(_ field: UInt8, _ wireType: UInt8, length: Int) {
            byte(field << 3 | wireType)
            varint(UInt64(length))
        }

        /// A string field; an empty one only when `always` (an element of a
        /// repeated field is written even when empty).
        mutating func string(_ field: UInt8, _ s: String, always: Bool = false) {
            var s = s
            let n = s.utf8.count
            guard n > 0 || always else { return }
            tag(field, 2, length: n)
            s.withUTF8 { utf8 in
                if n > 0 { (base + offset).update(from: utf8.baseAddress!, count: n) }
            }
            offset += n
        }
    }
}
