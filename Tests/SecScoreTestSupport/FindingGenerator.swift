public import SecScoreWire
import SwiftProtobuf

// Findings of every awkward shape, for tests that hold hand-written protobuf
// code (the Swift SDK's finding encoder, the host's finding decoder) to
// SwiftProtobuf's.

/// A deterministic generator of awkward values.
public struct FindingGenerator {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }

    /// Empty, short, the longest strings of one- and two-byte lengths
    /// and the shortest of two- and three-byte ones, multi-byte UTF-8
    /// (two, three and four bytes), a NUL.
    public mutating func string() -> String {
        let pieces = ["", "a", "é", "漢", "🔐", "\u{0}", "admin@partner.example.com", "00000001-002a-4000-8000-000000000007"]
        switch next(11) {
        case 0: return ""
        case 1: return String(repeating: "x", count: 127)
        case 2: return String(repeating: "y", count: 128)
        case 3: return String(repeating: "é", count: 8_192)  // 16,384 bytes: a three-byte length
        case 4: return String(repeating: "z", count: 16_383)  // the longest of a two-byte length
        default: return (0..<next(4)).map { _ in pieces[next(pieces.count)] }.joined()
        }
    }

    public mutating func strings() -> [String] { (0..<next(4)).map { _ in string() } }

    /// Corrupts non-empty `bytes` one way, at a random place: a byte
    /// changed, inserted or removed, a piece repeated, or the end cut off.
    /// For tests that feed hand-written decoders broken messages.
    public mutating func corrupt(_ bytes: inout [UInt8]) {
        precondition(!bytes.isEmpty, "nothing to corrupt")
        let at = next(bytes.count)
        switch next(5) {
        case 0: bytes[at] = UInt8(next(256))
        case 1: bytes.insert(UInt8(next(256)), at: at)
        case 2: bytes.remove(at: at)
        case 3: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 1 + next(12))], at: at)
        default: bytes.removeLast(1 + next(min(bytes.count, 8)))
        }
    }

    public mutating func finding() -> Secscore_Plugin_V1_Finding {
        var f = Secscore_Plugin_V1_Finding()
        f.requirementID = string()
        let statuses: [Int] = [0, 1, 2, 3, 4, 5, 99, -1, Int(Int32.max), Int(Int32.min)]
        f.status = Secscore_Plugin_V1_FindingStatus(rawValue: statuses[next(statuses.count)]) ?? .unspecified
        f.insights = strings()
        switch next(3) {
        case 0: break  // no evidence at all
        case 1: f.evidence = Secscore_Plugin_V1_Evidence()  // present and empty
        default:
            let values: [Double] = [0, -0.0, 1, -2.5, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, 1e300]
            f.evidence.metrics = (0..<next(4)).map { _ in
                var m = Secscore_Plugin_V1_Metric()
                m.name = string()
                m.value = values[next(values.count)]
                m.unit = string()
                return m
            }
            f.evidence.items = (0..<next(6)).map { _ in
                var item = Secscore_Plugin_V1_EvidenceItem(kind: string(), id: string(), name: string(), status: string())
                item.reasons = strings()
                item.attributes = (0..<next(4)).map { _ in
                    var a = Secscore_Plugin_V1_Attribute()
                    a.name = string()
                    a.value = string()
                    return a
                }
                return item
            }
        }
        return f
    }
}

/// `finding` as SwiftProtobuf encodes it in an EVALUATE RESPONSE: what
/// hand-written encoders must write and decoders must read.
public func swiftProtobufResponse(_ finding: Secscore_Plugin_V1_Finding) throws -> [UInt8] {
    var response = Secscore_Plugin_V1_EvaluateResponse()
    response.finding = finding
    return try response.serializedBytes()
}
