import Foundation
import SecScoreSynth
import SecScoreTestSupport
import TenantSnapshot
import Testing

/// Random corruptions of the example files — truncation, wrong types, huge
/// numbers, duplicate ids, impossible dates — always end in either a clean
/// load or a SnapshotError that names the corrupted file; never a crash.
@Suite("Corrupted snapshots")
struct CorruptionPropertyTests {
    static let examples = fixture("Examples/snapshots/fabrikam-distributor")

    typealias Random = SplitMix

    static let replacements = [
        "\"2025-02-30T10:00:00Z\"", "\"9999-99-99\"", "1e400", "-1", "18446744073709551616", "\"not a number\"",
        "null", "true", "[]", "{}", "\"\"", "\"\\u0000\"", "\"\\ud800\"", "12.5", "\"0001-01-01T00:00:00Z\"",
    ]

    /// One corruption of `text`.
    static func corrupt(_ text: String, _ rng: inout Random) -> String {
        var bytes = Array(text.utf8)
        switch rng.below(5) {
        case 0:  // truncate
            bytes = Array(bytes.prefix(rng.below(bytes.count)))
        case 1:  // replace a value after some ':' with something of another type
            let colons = bytes.indices.filter { bytes[$0] == UInt8(ascii: ":") }
            guard let at = colons.isEmpty ? nil : colons[rng.below(colons.count)] else { break }
            var end = at + 1
            var depth = 0
            while end < bytes.count {
                let b = bytes[end]
                if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") { depth += 1 }
                if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") { if depth == 0 { break }; depth -= 1 }
                if b == UInt8(ascii: ","), depth == 0 { break }
                end += 1
            }
            bytes.replaceSubrange((at + 1)..<end, with: Array((" " + replacements[rng.below(replacements.count)]).utf8))
        case 2:  // duplicate the first item of a "value" array (duplicate ids)
            if let r = text.range(of: "\"value\": [") {
                let start = text.distance(from: text.startIndex, to: r.upperBound)
                var i = start
                var depth = 0
                var itemStart: Int?
                while i < bytes.count {
                    if bytes[i] == UInt8(ascii: "{") { if depth == 0 { itemStart = i }; depth += 1 }
                    if bytes[i] == UInt8(ascii: "}") { depth -= 1; if depth == 0, let s = itemStart { bytes.insert(contentsOf: Array(bytes[s...i]) + [UInt8(ascii: ",")], at: s); break } }
                    i += 1
                }
            }
        case 3:  // flip a byte
            if !bytes.isEmpty { bytes[rng.below(bytes.count)] ^= UInt8(truncatingIfNeeded: 1 << rng.below(8)) }
        default:  // insert deep nesting
            let at = rng.below(bytes.count)
            bytes.insert(contentsOf: Array(repeating: UInt8(ascii: "["), count: 600), at: at)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func corruptionsNeverCrashAndErrorsNameTheFile() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.examples).filter { $0.hasSuffix(".json") }.sorted()
        var rng = Random(20251115)
        var errors = 0
        var loads = 0
        for round in 0..<400 {
            let dir = ScratchDirectory()
            for f in files { dir.write(f, try String(contentsOfFile: Self.examples + "/" + f, encoding: .utf8)) }
            let victim = files[round % files.count]
            let original = try String(contentsOfFile: Self.examples + "/" + victim, encoding: .utf8)
            dir.write(victim, Self.corrupt(original, &rng))
            do {
                _ = try SnapshotLoader.load(directory: dir.path)
                loads += 1
            } catch {
                errors += 1
                #expect(error.file.hasSuffix(victim), "round \(round): error names \(error.file), corrupted \(victim)")
                #expect(!error.message.isEmpty)
            }
        }
        // Most corruptions must be caught; some (a flipped letter in a name) are still valid data.
        #expect(errors > 200, "only \(errors) of 400 corruptions were rejected (\(loads) loaded)")
    }
}
