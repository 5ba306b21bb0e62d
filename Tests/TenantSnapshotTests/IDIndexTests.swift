import SecScoreTestSupport
@testable import TenantSnapshot
import Testing

/// `IDIndex` must say "already used, first at" for exactly the ids used
/// before, whatever their hashes do.
@Suite("IDIndex")
struct IDIndexTests {
    @Test func everyIDIsFoundAgainAfterTheTableGrew() {
        var index = IDIndex()
        let ids = (0..<100_000).map { "00000001-002a-4000-8000-\($0)" }
        for (position, id) in ids.enumerated() { #expect(index.insert(id, at: position * 3) == nil) }
        var wrong = 0
        for (position, id) in ids.enumerated() where index.insert(id, at: -1) != position * 3 { wrong += 1 }
        #expect(wrong == 0)
        #expect(index.insert("00000001-002a-4000-8000-100000", at: 7) == nil)
    }

    /// Ids whose hashes are all equal (or equal once masked) are still told
    /// apart by comparing the ids themselves.
    @Test(arguments: [{ (_: String) in 42 }, { (s: String) in s.utf8.count << 20 }] as [@Sendable (String) -> Int])
    func collidingHashesAreComparedByTheirIDs(hash: @escaping @Sendable (String) -> Int) {
        var index = IDIndex(hash: hash)
        for i in 0..<500 { #expect(index.insert("id-\(i)", at: i) == nil) }
        #expect(index.insert("id-250", at: 900) == 250)
        #expect(index.insert("id-0", at: 901) == 0)
        #expect(index.insert("id-500", at: 902) == nil)
        #expect(index.insert("id-500", at: 903) == 902)
    }

    /// Ids that differ only in Unicode normalization are one id: the
    /// checks look ids up in dictionaries, which would take one for the
    /// other, so the loader refuses the second as a repeat.
    @Test func canonicallyEquivalentIDsAreOneID() throws {
        var index = IDIndex()
        #expect(index.insert("caf\u{E9}-0001", at: 0) == nil)
        #expect(index.insert("cafe\u{301}-0001", at: 1) == 0)

        let dir = ScratchDirectory()
        dir.write("users.json", #"{"value": [{"id": "caf\u00e9-0001"}, {"id": "cafe\u0301-0001"}]}"#)
        do {
            _ = try SnapshotLoader.load(directory: dir.path)
            Issue.record("two ids equal under canonical equivalence loaded")
        } catch {
            #expect(error.description.contains("$.value[1]"))
            #expect(error.description.contains("$.value[0]"))
        }
    }

    @Test func emptyAndNegativeHashes() {
        var index = IDIndex(hash: { _ in Int.min })
        #expect(index.insert("a", at: 0) == nil)
        #expect(index.insert("b", at: 1) == nil)
        #expect(index.insert("a", at: 2) == 0)
    }
}

extension IDIndexTests {
    /// The slots live in a table the index owns: a copy written to must
    /// not change the original, nor the original the copy.
    @Test func aCopyWrittenToLeavesTheOriginalAlone() {
        var original = IDIndex()
        for i in 0..<40 { _ = original.insert("id-\(i)", at: i) }
        var copy = original
        #expect(copy.insert("id-40", at: 40) == nil)
        #expect(original.position(of: "id-40") == nil)
        #expect(original.insert("id-41", at: 41) == nil)
        #expect(copy.position(of: "id-41") == nil)
        #expect(copy.position(of: "id-39") == 39)
        #expect(original.position(of: "id-39") == 39)
    }

    /// Past 2 MiB of slots the table is mapped on its own (with huge pages
    /// asked for): ids are still found after it moved there.
    @Test func aTableMappedOnItsOwnFindsEveryID() {
        var index = IDIndex()
        let count = 300_000  // 1,048,576 slots of 8 bytes after the last growth
        var wrong = 0
        for i in 0..<count where index.insert("user-\(i)", at: i) != nil { wrong += 1 }
        for i in stride(from: 0, to: count, by: 7) where index.position(of: "user-\(i)") != i { wrong += 1 }
        #expect(wrong == 0)
        #expect(index.insert("user-123456", at: -1) == 123_456)
    }
}
