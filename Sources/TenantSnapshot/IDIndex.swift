/// The ids a collection has used so far, and where: how the loader refuses
/// an id used twice.
///
/// Ids are compared as Swift compares strings, by Unicode canonical
/// equivalence: two ids that differ only in normalization (NFC, NFD) are
/// refused as one id used twice, since the checks look ids up in
/// dictionaries that would take one for the other.
///
/// Written here for a measured need: `Dictionary<String, Int>` (then keyed
/// by a stored hash) was 9-13% of the CPU of evaluating the 1,000,000-user
/// benchmark tenant (perf: a `Hasher` set up twice per id, every key hashed
/// again when the table grew, memcmp at each probed bucket, 32-byte buckets
/// missing the cache). Here each id is hashed once, with the standard
/// library's per-process seeded hash as Dictionary uses it; a slot holds
/// that hash and an entry number (16 bytes); growing moves slots by their
/// stored hash; and ids are compared only when their full hashes are equal.
struct IDIndex {
    private struct Slot {
        var hash: Int
        var entry: Int  // -1: empty
    }

    private var slots: [Slot]
    private var mask: Int
    private var ids: [String] = []
    private var positions: [Int] = []
    private let hash: (String) -> Int

    /// - Parameter hash: the hash of an id; tests give a colliding one.
    init(hash: @escaping (String) -> Int = { $0.hashValue }) {
        self.hash = hash
        slots = Array(repeating: Slot(hash: 0, entry: -1), count: 64)
        mask = 63
    }

    /// Records `id` at `position`; returns the position it was first used
    /// at when it was already there (and then records nothing).
    mutating func insert(_ id: String, at position: Int) -> Int? {
        let h = hash(id)
        let (i, found) = probe(id, hash: h)
        if let found { return found }
        slots[i] = Slot(hash: h, entry: ids.count)
        ids.append(id)
        positions.append(position)
        // At most half full, so a probe seldom runs long.
        if ids.count * 2 > slots.count { grow() }
        return nil
    }

    /// The position `id` was recorded at; nil when it was not.
    func position(of id: String) -> Int? {
        probe(id, hash: hash(id)).found
    }

    /// The slot holding `id`'s entry and its position, or the empty slot
    /// where it would go.
    private func probe(_ id: String, hash h: Int) -> (slot: Int, found: Int?) {
        var i = h & mask
        while slots[i].entry >= 0 {
            if slots[i].hash == h, ids[slots[i].entry] == id { return (i, positions[slots[i].entry]) }
            i = (i + 1) & mask
        }
        return (i, nil)
    }

    private mutating func grow() {
        var bigger = Array(repeating: Slot(hash: 0, entry: -1), count: slots.count * 2)
        let newMask = bigger.count - 1
        for slot in slots where slot.entry >= 0 {
            var i = slot.hash & newMask
            while bigger[i].entry >= 0 { i = (i + 1) & newMask }
            bigger[i] = slot
        }
        slots = bigger
        mask = newMask
    }
}
