import Glibc
import SecScoreJSON
import Testing

func parse(_ text: String) throws(JSONParseError) -> JSONValue {
    try JSONParser.parse(Array(text.utf8))
}

/// What parsing `text` says: "ok" or the error's description.
func parseOutcome(_ text: String) -> String {
    do {
        _ = try parse(text)
        return "ok"
    } catch {
        return error.description
    }
}

@Suite("JSONParser")
struct JSONParserTests {
    @Test func numbersKeepTheirSourceText() throws {
        let v = try parse(#"{"a": 20, "b": 20.0, "c": 1e400, "d": -0.5E-3}"#)
        #expect(v["a"] == .number("20"))
        #expect(v["b"] == .number("20.0"))
        #expect(v["c"] == .number("1e400"))  // not infinity: a reader can refuse it by name
        #expect(v["d"] == .number("-0.5E-3"))
    }

    @Test func membersKeepDocumentOrder() throws {
        guard case .object(let members) = try parse(#"{"z": 1, "a": 2, "m": 3}"#) else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.0) == ["z", "a", "m"])
    }

    /// Each object is given room for as many members as the last one at
    /// its depth had: objects of every size after one another, nested and
    /// not, still parse to exactly their members.
    @Test func objectsOfChangingSizesKeepExactlyTheirMembers() throws {
        func object(_ n: Int, nested: Int? = nil) -> (text: String, value: JSONValue) {
            var members = (0..<n).map { ("k\($0)", JSONValue.number("\($0)")) }
            if let nested { members.append(("inner", object(nested).value)) }
            let text = "{" + members.map { m in
                if case .number(let v) = m.1 { return "\"\(m.0)\": \(v)" }
                return "\"\(m.0)\": " + object(nested!).text
            }.joined(separator: ", ") + "}"
            return (text, .object(members))
        }
        let shapes = [(3, nil), (20, 2), (1, nil), (0, 17), (40, 0), (0, nil), (5, 5)] as [(Int, Int?)]
        let objects = shapes.map { object($0.0, nested: $0.1) }
        let parsed = try JSONParser.parse(Array(("[" + objects.map(\.text).joined(separator: ", ") + "]").utf8))
        #expect(parsed == .array(objects.map(\.value)))
    }

    @Test func duplicateMembersAreRefused() {
        #expect(parseOutcome(#"{"id": "a", "id": "b"}"#) == #"line 1, column 17: duplicate member "id""#)  // after the name
        // Past 16 members the parser switches from a scan to a set.
        let many = (0..<20).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        #expect(parseOutcome("{" + many + ", \"k3\": 0}").contains("duplicate member \"k3\""))
    }

    @Test func errorsGiveLineAndColumn() {
        #expect(parseOutcome("{\"value\": [\n  {\"id\": 1,}\n]}") == "line 2, column 12: expected a member name in double quotes")
        #expect(parseOutcome("[1, 2") == "line 1, column 6: unexpected end of the document inside an array")
        #expect(parseOutcome("01") == "line 1, column 3: numbers may not have leading zeros")
        #expect(parseOutcome("{} x") == "line 1, column 4: unexpected text after the end of the document")
        #expect(parseOutcome("\"\\ud800\"") == "line 1, column 8: unpaired surrogate \\ud800")
    }

    @Test func stringsAndEscapes() throws {
        #expect(try parse(#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\né😀"))
        #expect(parseOutcome("\"tab\there\"").contains("control character in a string"))
        #expect(parseOutcome("\"\u{FF}\"") == "ok")  // U+00FF as UTF-8 is valid
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }  // a lone 0xFF byte is not UTF-8
    }

    @Test func aByteOrderMarkIsSkipped() throws {
        #expect(try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("[true]".utf8)) == .array([.bool(true)]))
    }

    @Test func nestingIsLimited() {
        let deep = String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)
        #expect(parseOutcome(deep).contains("nesting deeper than \(JSONParser.maxDepth) levels"))
        let limit = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(parseOutcome(limit) == "ok")
    }

    @Test func kindDescribesValuesForMessages() throws {
        #expect(try parse("null").kind == "null")
        #expect(try parse("3.5").kind == "the number 3.5")
        #expect(try parse("[1, 2]").kind == "an array of 2")
        #expect(try parse(#""\#(String(repeating: "x", count: 50))""#).kind == "the string \"\(String(repeating: "x", count: 40))…\"")
    }
}

/// An item handler's own error: the streaming parser hands it back typed.
struct RefusedItem: Error, Equatable {
    let index: Int
}

@Suite("JSONParser.parseCollection")
struct JSONStreamTests {
    /// Streams `text`, collecting the items it is handed.
    func stream(
        _ text: String, member: String = "value", refuse: Int? = nil
    ) throws(JSONStreamError<RefusedItem>) -> (items: [JSONValue], bare: [Bool], document: JSONValue, streamed: Bool) {
        var items: [JSONValue] = []
        var bare: [Bool] = []
        let result = try JSONParser.parseCollection(Array(text.utf8), streamedMember: member) { value, index, isBare throws(RefusedItem) in
            #expect(index == items.count)
            if index == refuse { throw RefusedItem(index: index) }
            items.append(value)
            bare.append(isBare)
        }
        return (items, bare, result.document, result.streamed)
    }

    @Test func theValueArrayIsStreamedAndLeftEmptyInTheDocument() throws {
        let r = try stream(#"{"@odata.context": "x", "value": [{"id": "a"}, {"id": "b"}], "@odata.count": 2}"#)
        #expect(r.items.map { $0["id"] } == [.string("a"), .string("b")])
        #expect(r.bare == [false, false])
        #expect(r.streamed)
        #expect(r.document["value"] == .array([]))
        #expect(r.document["@odata.count"] == .number("2"))
    }

    @Test func aBareArrayIsStreamed() throws {
        let r = try stream("[1, 2, 3]")
        #expect(r.items == [.number("1"), .number("2"), .number("3")])
        #expect(r.bare == [true, true, true])
        #expect(r.streamed)
    }

    @Test func theStreamedMemberIsTheCallersChoice() throws {
        let r = try stream(#"{"value": [1], "items": [2, 3]}"#, member: "items")
        #expect(r.items == [.number("2"), .number("3")])
        #expect(r.document["value"] == .array([.number("1")]))
    }

    @Test func anythingElseIsParsedWhole() throws {
        let entity = try stream(#"{"id": "a", "value": 3}"#)
        #expect(!entity.streamed && entity.items.isEmpty)
        #expect(entity.document["value"] == .number("3"))
        let scalar = try stream(#""text""#)
        #expect(!scalar.streamed && scalar.document == .string("text"))
    }

    @Test func anItemsErrorStopsTheParseAndComesBackTyped() {
        do {
            _ = try stream(#"{"value": [1, 2, 3]}"#, refuse: 1)
            Issue.record("should stop")
        } catch {
            guard case .item(let refused) = error else {
                Issue.record("expected the item's error, got \(error)")
                return
            }
            #expect(refused == RefusedItem(index: 1))
        }
    }

    /// The item's error wins even when the text after it is broken too.
    @Test func anItemsErrorWinsOverLaterSyntaxErrors() {
        do {
            _ = try stream(#"[1, 2, oops"#, refuse: 0)
            Issue.record("should stop")
        } catch {
            guard case .item(let refused) = error else {
                Issue.record("expected the item's error, got \(error)")
                return
            }
            #expect(refused.index == 0)
        }
    }

    /// The bytes before the offset `consumed` reports are never read
    /// again, also when an item then stops the parse: the loader gives
    /// those pages of a mapped file back. Here they are made unreadable as
    /// the parse goes, so reading one again stops this test with SIGSEGV.
    @Test(arguments: [false, true])
    func consumedBytesAreNotReadAgain(itemStops: Bool) throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let items = (0..<3_000).map { #"{"id": "item-\#($0)", "padding": "\#(String(repeating: "x", count: 40))"}"# }
        let text = Array((#"{"value": ["# + items.joined(separator: ",\n") + "]}").utf8)
        let size = (text.count / page + 1) * page
        let base = try #require(mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        try #require(base != MAP_FAILED)
        defer { munmap(base, size) }
        base.copyMemory(from: text, byteCount: text.count)
        let bytes = UnsafeRawBufferPointer(start: base, count: text.count)
        var protected = 0
        var seen = 0
        do {
            _ = try JSONParser.parseCollection(bytes, consumed: { offset in
                let end = offset / page * page
                if end > protected {
                    #expect(mprotect(base + protected, end - protected, PROT_NONE) == 0)
                    protected = end
                }
            }) { _, index, _ throws(RefusedItem) in
                seen += 1
                if itemStops, index == items.count - 1 { throw RefusedItem(index: index) }
            }
            #expect(!itemStops)
        } catch {
            guard case .item(let refused) = error else {
                Issue.record("expected the item's error, got \(error)")
                return
            }
            #expect(itemStops && refused.index == items.count - 1)
        }
        #expect(seen == items.count)
        #expect(protected >= text.count - 2 * page)  // the test protected nearly all of it
    }

    @Test func syntaxErrorsSayWhere() {
        for (text, message) in [
            (#"{"value": [{"id": "a"}, {"id": "b",}]}"#, "line 1, column 36: expected a member name in double quotes"),
            (#"{"value": [1]} trailing"#, "line 1, column 16: unexpected text after the end of the document"),
            (#"{"value": [1], "value": []}"#, #"line 1, column 23: duplicate member "value""#),
            ("", "line 1, column 1: unexpected end of the document"),
        ] {
            do {
                _ = try stream(text)
                Issue.record("\(text) should fail")
            } catch {
                guard case .syntax(let e) = error else {
                    Issue.record("expected a syntax error for \(text), got \(error)")
                    continue
                }
                #expect(e.description == message)
            }
        }
    }
}
