/// Whether a principal id is one of a set of ids, answered exactly as
/// `Set<String>.contains` answers it (Unicode canonical equivalence), but
/// without hashing every id asked about.
///
/// `FacetProjection` asks it once for each user and registration of the
/// tenant: 2,000,000 questions for the 1,000,000-user benchmark tenant,
/// about a few thousand role holders, and `Set<String>` hashing each id
/// with SipHash was 200 ms of every evaluation (perf, BENCHMARKS.md
/// "isolation"). Here an ASCII id whose holders are all ASCII is first
/// hashed (`asciiHash`) into a bit set of the holders' hashes, and
/// only an id whose bit is set is asked of the `Set`. Between ASCII
/// strings canonical equivalence is byte equality, so a clear bit proves
/// absence. Anything else (an id with a non-ASCII byte, or any non-ASCII
/// holder: "K", U+212A KELVIN SIGN, is canonically "K") goes to the `Set`.
struct PrincipalFilter {
    private let ids: Set<String>
    /// One bit per holder's `asciiHash` modulo its size; nil when some id is not
    /// ASCII (then every question goes to `ids`).
    private let bits: [UInt64]?
    private let mask: UInt64

    init(_ ids: Set<String>) {
        self.ids = ids
        // About 64 bits per holder, at least 2^16: few false positives.
        var size = 1 << 16
        while size < ids.count * 64 { size <<= 1 }
        mask = UInt64(size - 1)
        var bits = [UInt64](repeating: 0, count: size / 64)
        var ascii = true
        for id in ids {
            guard let h = Self.asciiHash(id) else {
                ascii = false
                break
            }
            let bit = h & mask
            bits[Int(bit >> 6)] |= 1 << (bit & 63)
        }
        self.bits = ascii ? bits : nil
    }

    func contains(_ id: String) -> Bool {
        if let bits, let h = Self.asciiHash(id) {
            let bit = h & mask
            if bits[Int(bit >> 6)] & (1 << (bit & 63)) == 0 { return false }
        }
        return ids.contains(id)
    }

    /// A 64-bit hash of `id`'s UTF-8 bytes, or nil when one is not ASCII.
    /// Eight bytes at a time, each word folded in with a multiply and a
    /// shift and the result finished with MurmurHash3's fmix64, so that the
    /// low bits the bit set uses depend on every byte (byte-wise FNV-1a was
    /// 43 ns per 36-byte id; perf).
    static func asciiHash(_ id: String) -> UInt64? {
        var id = id
        return id.withUTF8 { bytes -> UInt64? in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
            var seen: UInt64 = 0
            func fold(_ word: UInt64) {
                seen |= word
                h = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
                h ^= h >> 29
            }
            if let base = bytes.baseAddress {
                let raw = UnsafeRawPointer(base)
                var i = 0
                while i + 8 <= bytes.count {
                    fold(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                    i += 8
                }
                if i < bytes.count {
                    var tail: UInt64 = 0
                    for j in i..<bytes.count { tail |= UInt64(bytes[j]) << (8 * UInt64(j - i)) }
                    fold(tail)
                }
            }
            guard seen & 0x8080_8080_8080_8080 == 0 else { return nil }
            h ^= h >> 33
            h = h &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 33
            h = h &* 0xC4CE_B9FE_1A85_EC53
            return h ^ (h >> 33)
        }
    }
}
