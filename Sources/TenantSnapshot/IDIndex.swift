import Glibc

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
/// library's per-process seeded hash as Dictionary uses it; a slot is 8
/// bytes (32 bits of that hash and an entry number); growing moves slots by
/// their stored bits; and ids are compared only when those bits are equal.
///
/// The table's slots are raw memory, not an Array: perf put 93% of the
/// remaining probe time on the first load of a slot (a cache and TLB miss
/// at a random place in 16-32 MB for the 1,000,000 users), so a table of
/// 2 MiB or more is mapped on its own and asks for transparent huge pages,
/// and all-zero memory is an empty table, nothing to initialise.
struct IDIndex {
    private var table: SlotTable
    private var ids: [String] = []
    private var positions: [Int] = []
    private let hash: (String) -> Int
    /// Ids queued by `insertLater`, with their hash bits.
    private var queued: [(id: String, tag: UInt32, position: Int)] = []
    /// What `flush`'s early loads read: stored, so they are not optimised away.
    private var warmed: UInt64 = 0

    /// - Parameter hash: the hash of an id; tests give a colliding one.
    init(hash: @escaping (String) -> Int = { $0.hashValue }) {
        self.hash = hash
        table = SlotTable(capacity: 64)
    }

    /// Records `id` at `position`; returns the position it was first used
    /// at when it was already there (and then records nothing).
    mutating func insert(_ id: String, at position: Int) -> Int? {
        assert(queued.isEmpty, "insert(_:at:) with ids still queued by insertLater: flush first")
        return insert(id, tag: tag(of: id), at: position)
    }

    /// An id met again: where, and where it was first used.
    struct Repeat: Equatable {
        var id: String
        var position: Int
        var firstPosition: Int
    }

    /// Queues `id` at `position` to be recorded by `flush`, which runs once
    /// `batchSize` are queued. Queued ids are recorded in the order they
    /// were queued, so the first repeat found is the first in that order.
    /// - Returns: the first repeat among the ids recorded now, if any (the
    ///   ids queued after it are dropped).
    mutating func insertLater(_ id: String, at position: Int) -> Repeat? {
        queued.append((id, tag(of: id), position))
        return queued.count >= Self.batchSize ? flush() : nil
    }

    /// Records the queued ids (see `insertLater`); call it before reporting
    /// anything found after them, and at the end.
    mutating func flush() -> Repeat? {
        defer { queued.removeAll(keepingCapacity: true) }
        // Each id's home slot is loaded first, all of them before any probe:
        // the loads do not depend on one another, so their cache misses
        // overlap instead of being waited for one at a time (perf: 93% of
        // an insert's time was that first load).
        var touched: UInt64 = 0
        let mask = table.capacity - 1
        for q in queued { touched |= table.slots[Int(q.tag) & mask] }
        warmed = touched
        for q in queued {
            if let first = insert(q.id, tag: q.tag, at: q.position) {
                return Repeat(id: q.id, position: q.position, firstPosition: first)
            }
        }
        return nil
    }

    /// How many ids `insertLater` queues before recording them.
    static let batchSize = 16

    private mutating func insert(_ id: String, tag: UInt32, at position: Int) -> Int? {
        let (i, found) = probe(id, tag: tag)
        if let found { return found }
        precondition(ids.count < Int(UInt32.max), "more ids than an IDIndex numbers")
        if !isKnownUniquelyReferenced(&table) { table = table.copy() }
        table.slots[i] = SlotTable.slot(tag: tag, entry: ids.count)
        ids.append(id)
        positions.append(position)
        // At most half full, so a probe seldom runs long.
        if ids.count * 2 > table.capacity { table = table.grown() }
        return nil
    }

    /// The position `id` was recorded at; nil when it was not.
    func position(of id: String) -> Int? {
        assert(queued.isEmpty, "position(of:) with ids still queued by insertLater: flush first")
        return probe(id, tag: tag(of: id)).found
    }

    /// The 32 bits of `id`'s hash a slot keeps (the low ones, which also
    /// choose its home slot).
    private func tag(of id: String) -> UInt32 { UInt32(truncatingIfNeeded: hash(id)) }

    /// The slot holding `id`'s entry and its position, or the empty slot
    /// where it would go.
    private func probe(_ id: String, tag: UInt32) -> (slot: Int, found: Int?) {
        let slots = table.slots
        let mask = table.capacity - 1
        var i = Int(tag) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { return (i, nil) }
            if UInt32(truncatingIfNeeded: slot >> 32) == tag {
                let entry = SlotTable.entry(slot)
                if ids[entry] == id { return (i, positions[entry]) }
            }
            i = (i + 1) & mask
        }
    }
}

/// The open-addressing table of an `IDIndex`: `capacity` (a power of two)
/// slots of 8 bytes, each 0 when empty, else the id's 32 hash bits above
/// its entry number plus one.
private final class SlotTable {
    let slots: UnsafeMutablePointer<UInt64>
    let capacity: Int
    /// Bytes mapped with mmap(2); 0 when the slots came from calloc.
    private let mappedBytes: Int

    /// Tables from this size up get their own mapping and huge pages.
    private static let hugePageBytes = 2 << 20

    init(capacity: Int) {
        self.capacity = capacity
        let bytes = capacity * MemoryLayout<UInt64>.stride
        if bytes >= Self.hugePageBytes, let base = Self.mapAligned(bytes) {
            // Advice only: without huge pages the table works the same.
            _ = madvise(base, bytes, MADV_HUGEPAGE)
            slots = base.bindMemory(to: UInt64.self, capacity: capacity)
            mappedBytes = bytes
        } else {
            guard let memory = calloc(capacity, MemoryLayout<UInt64>.stride) else { fatalError("out of memory for \(capacity) id slots") }
            slots = memory.bindMemory(to: UInt64.self, capacity: capacity)
            mappedBytes = 0
        }
    }

    deinit {
        if mappedBytes > 0 { munmap(slots, mappedBytes) } else { free(slots) }
    }

    /// `bytes` (a multiple of 2 MiB) of fresh memory starting on a 2 MiB
    /// boundary, where a huge page can back it: mmap(2) promises only page
    /// alignment, and kernels before 6.7 do not align large anonymous
    /// mappings themselves. Nil when the mapping fails.
    private static func mapAligned(_ bytes: Int) -> UnsafeMutableRawPointer? {
        let align = hugePageBytes
        guard let raw = mmap(nil, bytes + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), raw != MAP_FAILED else {
            return nil
        }
        let address = UInt(bitPattern: raw)
        let start = (address + UInt(align) - 1) & ~UInt(align - 1)
        let head = Int(start - address)
        if head > 0 { munmap(raw, head) }
        let tail = align - head
        if tail > 0 { munmap(UnsafeMutableRawPointer(bitPattern: start + UInt(bytes)), tail) }
        return UnsafeMutableRawPointer(bitPattern: start)
    }

    static func slot(tag: UInt32, entry: Int) -> UInt64 { UInt64(tag) << 32 | UInt64(entry + 1) }
    static func entry(_ slot: UInt64) -> Int { Int(slot & 0xFFFF_FFFF) - 1 }

    /// The same slots in a table of the same size (an index that was copied
    /// and then written to).
    func copy() -> SlotTable {
        let other = SlotTable(capacity: capacity)
        other.slots.update(from: slots, count: capacity)
        return other
    }

    /// A table twice the size holding the same entries.
    func grown() -> SlotTable {
        let bigger = SlotTable(capacity: capacity * 2)
        let mask = bigger.capacity - 1
        for j in 0..<capacity where slots[j] != 0 {
            var i = Int(UInt32(truncatingIfNeeded: slots[j] >> 32)) & mask
            while bigger.slots[i] != 0 { i = (i + 1) & mask }
            bigger.slots[i] = slots[j]
        }
        return bigger
    }
}
