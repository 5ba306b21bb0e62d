import SecScoreWire
import Testing

/// `ProtoReader.string()` refuses exactly what is not UTF-8, on both of its
/// paths: short strings (decoded, then compared with their bytes) and long
/// ones (validated by the standard library).
@Suite("Proto reader")
struct ProtoReaderTests {

    /// A length-delimited value of `body`, read back as a string.
    static func read(_ body: [UInt8]) -> String? {
        var bytes: [UInt8] = []
        var n = body.count
        while n >= 0x80 {
            bytes.append(UInt8(n & 0x7F) | 0x80)
            n >>= 7
        }
        bytes.append(UInt8(n))
        bytes += body
        return bytes.withUnsafeBytes { raw in
            var r = ProtoReader(raw)
            let s = r.string()
            return r.atEnd ? s : nil
        }
    }

    /// Invalid sequences, among them ones whose repair is as long as they
    /// are (a four-byte sequence cut after three bytes becomes one
    /// three-byte U+FFFD): only comparing bytes, not counts, catches those.
    static let invalid: [[UInt8]] = [
        [0xF0, 0x90, 0x80],  // cut four-byte sequence
        [0xE2, 0x82],  // cut three-byte sequence
        [0x80],  // lone continuation byte
        [0xC0, 0xAF],  // overlong "/"
        [0xE0, 0x80, 0xAF],  // overlong, three bytes
        [0xED, 0xA0, 0x80],  // a UTF-16 surrogate
        [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
        [0xFF],
        Array("\u{FFFD}".utf8) + [0xF0, 0x90, 0x80],  // a real U+FFFD, then a cut sequence
    ]

    @Test(arguments: [0, 1, 100, 253, 254, 300])
    func refusesInvalidUTF8AtEveryLength(padding: Int) {
        for sequence in Self.invalid {
            let before = [UInt8](repeating: 0x61, count: padding)
            #expect(Self.read(before + sequence) == nil, "\(padding) + \(sequence)")
            #expect(Self.read(sequence + before) == nil, "\(sequence) + \(padding)")
        }
    }

    @Test func readsValidUTF8OnEitherSideOfTheShortPath() {
        let samples = ["", "a", "\u{0}", "é", "漢", "🔐", "\u{FFFD}", "ε" + String(repeating: "x", count: 253)]
        for s in samples + samples.map({ $0 + String(repeating: "🔐", count: 64) }) {
            #expect(Self.read(Array(s.utf8)) == s, "\(s.utf8.count) bytes")
        }
        for count in 250...260 {
            let s = String(repeating: "y", count: count - 2) + "é"
            #expect(Self.read(Array(s.utf8)) == s)
        }
    }

    @Test func refusesALengthPastTheEnd() {
        let s = [UInt8]([0x05, 0x61]).withUnsafeBytes { raw in
            var r = ProtoReader(raw)
            return r.string()
        }
        #expect(s == nil)
    }
}
