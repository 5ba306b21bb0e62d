@testable import SecScoreEngine
import Testing

/// `PrincipalFilter` answers exactly as `Set<String>.contains`: for ASCII
/// ids in and out of the set, for ids whose bits collide, and wherever
/// canonical equivalence makes different bytes one id.
@Suite("Principal filter")
struct PrincipalFilterTests {
    /// A deterministic generator (SplitMix64), so a failure repeats.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func guid() -> String {
            let hex = Array("0123456789abcdef")
            return String((0..<36).map { i in [8, 13, 18, 23].contains(i) ? "-" : hex[Int(next() % 16)] })
        }
    }

    @Test func answersAsASetOverRandomIds() {
        var g = Generator(state: 7)
        for holderCount in [0, 1, 50, 5_000] {
            let holders = Set((0..<holderCount).map { _ in g.guid() })
            let filter = PrincipalFilter(holders)
            var asked = Array(holders)
            for _ in 0..<20_000 { asked.append(g.guid()) }
            var passed = 0
            for id in asked {
                #expect(filter.contains(id) == holders.contains(id), "\(id) among \(holderCount)")
                if filter.contains(id) { passed += 1 }
            }
            #expect(passed == holderCount)
        }
    }

    @Test func idsWhoseBitsCollideAreStillToldApart() throws {
        // Find an ASCII id with the same bit as a holder but other bytes:
        // the bit set lets it through, the set must refuse it.
        let holder = "admin-0"
        let bitOf = { (id: String) in PrincipalFilter.asciiHash(id)! & ((1 << 16) - 1) }
        var twin: String?
        for i in 0..<2_000_000 where bitOf("user-\(i)") == bitOf(holder) {
            twin = "user-\(i)"
            break
        }
        let collider = try #require(twin)
        let filter = PrincipalFilter([holder])
        #expect(filter.contains(holder))
        #expect(!filter.contains(collider))
    }

    /// A non-ASCII byte anywhere (a whole word, the tail) sends the id to
    /// the set; ASCII ids of every length hash, and differ by their bytes.
    @Test func everyNonASCIIByteIsSeen() {
        for length in 0...20 {
            let ascii = String(repeating: "a", count: length)
            #expect(PrincipalFilter.asciiHash(ascii) != nil)
            for position in 0..<length {
                var scalars = Array(ascii.unicodeScalars)
                scalars[position] = "\u{E9}"
                var id = ""
                id.unicodeScalars.append(contentsOf: scalars)
                #expect(PrincipalFilter.asciiHash(id) == nil, "é at \(position) of \(length)")
                scalars[position] = "b"
                var other = ""
                other.unicodeScalars.append(contentsOf: scalars)
                #expect(PrincipalFilter.asciiHash(other) != PrincipalFilter.asciiHash(ascii), "b at \(position) of \(length)")
            }
        }
    }

    @Test func canonicallyEquivalentIdsMatchAsInASet() {
        let kelvin = "\u{212A}", nfc = "caf\u{E9}", nfd = "cafe\u{301}"
        #expect(kelvin == "K")  // the premise: ASCII and non-ASCII can be one id
        let cases: [(holders: Set<String>, asked: [String])] = [
            (["K", "abc"], [kelvin, "K", "k", "abc"]),  // ASCII holders, a non-ASCII id asked
            ([kelvin, "abc"], ["K", kelvin, "abc", "abd"]),  // a non-ASCII holder, an ASCII id asked
            ([nfc], [nfd, nfc, "cafe"]),
            ([nfd, "x"], [nfc, "x", "y"]),
        ]
        for (holders, asked) in cases {
            let filter = PrincipalFilter(holders)
            for id in asked {
                #expect(filter.contains(id) == holders.contains(id), "\(id.unicodeScalars.map { $0.value }) in \(holders)")
            }
        }
        #expect(PrincipalFilter(["K"]).contains(kelvin))
        #expect(PrincipalFilter([kelvin]).contains("K"))
        #expect(PrincipalFilter.asciiHash(kelvin) == nil)
        #expect(PrincipalFilter.asciiHash("K") != nil)
    }
}
