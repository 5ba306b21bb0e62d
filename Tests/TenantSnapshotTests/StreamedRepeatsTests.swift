@testable import TenantSnapshot
import Testing

/// A streamed collection records ids in batches (`IDIndex.insertLater`),
/// so a repeated id is found up to a batch after it was read. Whatever
/// stops the load after it, an item that does not decode, an item that is
/// not an object, a syntax error or the end of the file, the repeat must
/// still be the error reported, as when every id was recorded at once.
@Suite("Streamed collections: repeated ids")
struct StreamedRepeatsTests {
    static func users(_ count: Int, repeating first: Int? = nil, at position: Int? = nil) -> [String] {
        var items = (0..<count).map { #"{"id": "u\#($0)"}"# }
        if let first, let position { items[position] = #"{"id": "u\#(first)"}"# }
        return items
    }

    static func file(_ items: [String], tail: String = "]}") -> String {
        #"{"value": ["# + items.joined(separator: ", ") + tail
    }

    static let repeatAt5 = #"users.json: $.value[5].id: duplicate id "u2", already used at $.value[2]"#

    @Test(arguments: [6, 7, 15, 16, 17, 40])
    func aRepeatIsReportedBeforeALaterItemThatDoesNotDecode(badAt bad: Int) {
        var items = Self.users(50, repeating: 2, at: 5)
        items[bad] = #"{"id": "bad", "accountEnabled": "perhaps"}"#
        #expect(loadError("users.json", Self.file(items)) == Self.repeatAt5)
    }

    @Test(arguments: [6, 15, 33])
    func aRepeatIsReportedBeforeALaterItemThatIsNotAnObject(badAt bad: Int) {
        var items = Self.users(40, repeating: 2, at: 5)
        items[bad] = "42"
        #expect(loadError("users.json", Self.file(items)) == Self.repeatAt5)
    }

    @Test(arguments: [6, 15, 33])
    func aRepeatIsReportedBeforeALaterItemWhoseIDIsNotAString(badAt bad: Int) {
        var items = Self.users(40, repeating: 2, at: 5)
        items[bad] = #"{"id": 42}"#
        #expect(loadError("users.json", Self.file(items)) == Self.repeatAt5)
    }

    @Test(arguments: [8, 20])
    func aRepeatIsReportedBeforeALaterSyntaxError(count: Int) {
        #expect(loadError("users.json", Self.file(Self.users(count, repeating: 2, at: 5), tail: ", }")) == Self.repeatAt5)
    }

    /// The last, partial batch is recorded at the end of the file; repeats
    /// across batches and the first of two repeats are found too.
    @Test func repeatsAtTheEndAcrossBatchesAndTheFirstOfTwo() {
        for count in [6, 16, 17, 31, 33] {
            #expect(loadError("users.json", Self.file(Self.users(count, repeating: 2, at: 5))) == Self.repeatAt5, "\(count) items")
            #expect(
                loadError("users.json", Self.file(Self.users(count, repeating: 0, at: count - 1)))
                    == #"users.json: $.value[\#(count - 1)].id: duplicate id "u0", already used at $.value[0]"#, "\(count) items")
        }
        var two = Self.users(60, repeating: 2, at: 30)
        two[20] = #"{"id": "u7"}"#
        #expect(loadError("users.json", Self.file(two)) == #"users.json: $.value[20].id: duplicate id "u7", already used at $.value[7]"#)
        // A bare array names its items "$[n]".
        #expect(
            loadError("users.json", "[" + Self.users(20, repeating: 2, at: 5).joined(separator: ",") + "]")
                == #"users.json: $[5].id: duplicate id "u2", already used at $[2]"#)
    }

    /// An item that does not decode before any repeat is still its own error.
    @Test func anEarlierBadItemIsReportedFirst() {
        var items = Self.users(30, repeating: 2, at: 12)
        items[4] = #"{"id": "bad", "accountEnabled": "perhaps"}"#
        #expect(loadError("users.json", Self.file(items)).hasPrefix("users.json: $.value[4].accountEnabled: "))
    }
}

extension IDIndexTests {
    /// `insertLater` and `flush` record what `insert` records, in order,
    /// and stop at the first repeat.
    @Test func batchedInsertsAgreeWithInsert() {
        let ids = (0..<1_000).map { "id-\($0 % 700)" }  // repeats from position 700 on
        var one = IDIndex()
        var firstByInsert: IDIndex.Repeat?
        for (position, id) in ids.enumerated() {
            if let first = one.insert(id, at: position) {
                firstByInsert = IDIndex.Repeat(id: id, position: position, firstPosition: first)
                break
            }
        }
        var batched = IDIndex()
        var firstByBatch: IDIndex.Repeat?
        for (position, id) in ids.enumerated() {
            if let r = batched.insertLater(id, at: position) { firstByBatch = r; break }
        }
        if firstByBatch == nil { firstByBatch = batched.flush() }
        #expect(firstByInsert == IDIndex.Repeat(id: "id-0", position: 700, firstPosition: 0))
        #expect(firstByBatch == firstByInsert)
        #expect(batched.position(of: "id-699") == 699)
        #expect(batched.flush() == nil)
    }
}
