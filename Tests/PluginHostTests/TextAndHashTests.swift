import Glibc
@testable import PluginHost
import SecScoreTestSupport
import SecScoreWire
import Testing

@Suite("Sanitising, line splitting and hashing")
struct TextAndHashTests {
    @Test func controlCharactersAreEscaped() {
        #expect(SafeText.sanitize("a\u{1B}[31mred\u{7}") == "a\\u{1B}[31mred\\u{7}")
        #expect(SafeText.sanitize("tab\tok") == "tab\tok")
        #expect(SafeText.sanitize("bidi \u{202E}evil") == "bidi \\u{202E}evil")
        #expect(SafeText.sanitize([0x66, 0xFF, 0x6F]) == "f\u{FFFD}o")
        #expect(SafeText.sanitize("\u{85}next line") == "\\u{85}next line")
    }

    @Test func sanitizeCutsAtTheLimit() {
        let cut = SafeText.sanitize(String(repeating: "x", count: 100), limit: 10)
        #expect(cut == "xxxxxxxxxx… [90 more bytes]")
    }

    @Test func linesAreSplitAndBounded() {
        var splitter = LineSplitter(maxLineBytes: 16)
        var lines: [(String, Int)] = []
        let input = "one\r\ntwo\n" + String(repeating: "z", count: 100) + "\nlast"
        Array(input.utf8).withUnsafeBytes { raw in
            // Feed in awkward pieces.
            var i = 0
            while i < raw.count {
                let n = min(7, raw.count - i)
                splitter.feed(UnsafeRawBufferPointer(rebasing: raw[i..<(i + n)])) { lines.append((String(decoding: $0, as: UTF8.self), $1)) }
                i += n
            }
        }
        splitter.finish { lines.append((String(decoding: $0, as: UTF8.self), $1)) }
        #expect(lines.map(\.0) == ["one", "two", String(repeating: "z", count: 16), "last"])
        #expect(lines.map(\.1) == [0, 0, 84, 0])
    }

    /// Pinning hashes with swift-crypto now; the digests are the same: the
    /// NIST example vectors, through the path the host hashes plugins on.
    @Test func sha256MatchesNISTVectors() throws {
        let dir = ScratchDirectory()
        func hex(_ bytes: [UInt8]) throws -> String {
            let file = dir.writeBytes("f-\(bytes.count)-\(bytes.first ?? 0)", bytes)
            chmod(file, 0o755)
            return try PluginExecutable(path: file).sha256()
        }
        #expect(try hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(try hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // A million bytes: many 64 KiB reads, the last one short.
        #expect(try hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
