import SecScoreJSON
import Testing

func node(_ text: String, _ mode: JSONNode.Mode) throws -> JSONNode {
    JSONNode(try JSONParser.parse(Array(text.utf8)), file: "f.json", mode: mode)
}

/// What reading `read` from `text` in `mode` gives: the value's description,
/// "nil", or the error's description.
func read<T>(_ text: String, _ mode: JSONNode.Mode, _ read: (JSONNode) throws(JSONInputError) -> T?) -> String {
    do {
        let n = try node(text, mode)
        do throws(JSONInputError) {
            return try read(n).map { "\($0)" } ?? "nil"
        } catch {
            return error.description
        }
    } catch {
        return "not JSON: \(error)"
    }
}

@Suite("JSONNode: strict and lenient")
struct JSONNodeModeTests {
    /// (document, lenient outcome, strict outcome) for one accessor.
    @Test(arguments: [
        (#"{"n": 20}"#, "20", "20"),
        (#"{"n": "20"}"#, "20", #"f.json: $.n: expected a whole number, found the string "20""#),
        (#"{"n": " 20 "}"#, "20", #"f.json: $.n: expected a whole number, found the string " 20 ""#),
        (#"{"n": 20.0}"#, "20", "f.json: $.n: expected a whole number, found the number 20.0"),
        (#"{"n": 2.5}"#, "f.json: $.n: expected a whole number, found the number 2.5", "f.json: $.n: expected a whole number, found the number 2.5"),
        (#"{"n": 1e400}"#, "f.json: $.n: expected a whole number, found the number 1e400", "f.json: $.n: expected a whole number, found the number 1e400"),
        (#"{"n": -3}"#, "f.json: $.n: expected a whole number from 0 to 100, found -3", "f.json: $.n: expected a whole number from 0 to 100, found -3"),
        (#"{"n": null}"#, "nil", "f.json: $.n: expected a whole number, found null"),
        (#"{}"#, "nil", "nil"),
    ])
    func integers(_ text: String, lenient: String, strict: String) {
        #expect(read(text, .lenient) { n throws(JSONInputError) in try n.integer("n", max: 100) } == lenient)
        #expect(read(text, .strict) { n throws(JSONInputError) in try n.integer("n", max: 100) } == strict)
    }

    @Test(arguments: [
        (#"{"b": true}"#, "true", "true"),
        (#"{"b": "false"}"#, "false", #"f.json: $.b: expected true or false, found the string "false""#),
        (#"{"b": "TRUE"}"#, "true", #"f.json: $.b: expected true or false, found the string "TRUE""#),
        (#"{"b": "yes"}"#, #"f.json: $.b: expected true or false, found the string "yes""#, #"f.json: $.b: expected true or false, found the string "yes""#),
        (#"{"b": 1}"#, "f.json: $.b: expected true or false, found the number 1", "f.json: $.b: expected true or false, found the number 1"),
        (#"{"b": null}"#, "nil", "f.json: $.b: expected true or false, found null"),
    ])
    func booleans(_ text: String, lenient: String, strict: String) {
        #expect(read(text, .lenient) { n throws(JSONInputError) in try n.bool("b") } == lenient)
        #expect(read(text, .strict) { n throws(JSONInputError) in try n.bool("b") } == strict)
    }

    @Test(arguments: [
        (#"{"x": 0.25}"#, "0.25", "0.25"),
        (#"{"x": "0.25"}"#, "0.25", #"f.json: $.x: expected a number, found the string "0.25""#),
        (#"{"x": 1e400}"#, "f.json: $.x: expected a finite number, found the number 1e400", "f.json: $.x: expected a finite number, found the number 1e400"),
        (#"{"x": "nan"}"#, #"f.json: $.x: expected a finite number, found the string "nan""#, #"f.json: $.x: expected a number, found the string "nan""#),
        (#"{"x": []}"#, "f.json: $.x: expected a number, found an array of 0", "f.json: $.x: expected a number, found an array of 0"),
    ])
    func numbers(_ text: String, lenient: String, strict: String) {
        #expect(read(text, .lenient) { n throws(JSONInputError) in try n.number("x") } == lenient)
        #expect(read(text, .strict) { n throws(JSONInputError) in try n.number("x") } == strict)
    }

    @Test func nullIsAbsentOnlyWhenLenient() throws {
        let text = #"{"s": null, "list": null, "o": null}"#
        let lenient = try node(text, .lenient)
        #expect(try lenient.string("s") == nil)
        #expect(try lenient.strings("list") == nil)
        #expect(try lenient.array("list") == nil)
        #expect(lenient.member("o") == nil)
        let strict = try node(text, .strict)
        #expect(strict.member("o")?.value == .null)
        #expect(read(text, .strict) { n throws(JSONInputError) in try n.string("s") } == "f.json: $.s: expected a string, found null")
        #expect(read(text, .strict) { n throws(JSONInputError) in try n.array("list") } == "f.json: $.list: expected an array, found null")
    }

    @Test func requiredNamesTheMissingMember() {
        #expect(read(#"{}"#, .strict) { n throws(JSONInputError) in try n.required("id").string() } == "f.json: $.id: is missing")
        #expect(read(#"{"on": null}"#, .lenient) { n throws(JSONInputError) in try n.required("on", expecting: "true or false").bool() }
            == "f.json: $.on: is missing; expected true or false")
        #expect(read(#"{"on": null}"#, .strict) { n throws(JSONInputError) in try n.required("on", expecting: "true or false").bool() }
            == "f.json: $.on: expected true or false, found null")
        #expect(read(#"{"id": "x"}"#, .strict) { n throws(JSONInputError) in try n.required("id").string() } == "x")
    }

    @Test func enumerationsMatchInAnyCaseOnlyWhenLenient() {
        let allowed = ["Member", "Guest"]
        #expect(read(#"{"t": "guest"}"#, .lenient) { n throws(JSONInputError) in try n.enumeration("t", allowed) } == "Guest")
        #expect(read(#"{"t": "guest"}"#, .strict) { n throws(JSONInputError) in try n.enumeration("t", allowed) }
            == #"f.json: $.t: expected one of Member, Guest, found "guest""#)
        let aliases = ["Visitor": "Guest"]
        #expect(read(#"{"t": "Visitor"}"#, .strict) { n throws(JSONInputError) in try n.enumeration("t", allowed, aliases: aliases) } == "Guest")
        #expect(read(#"{"t": "VISITOR"}"#, .lenient) { n throws(JSONInputError) in try n.enumeration("t", allowed, aliases: aliases) } == "Guest")
        #expect(read(#"{"t": 3}"#, .lenient) { n throws(JSONInputError) in try n.enumeration("t", allowed) }
            == "f.json: $.t: expected one of Member, Guest, found the number 3")
    }
}

@Suite("JSONNode: errors name the file, the path and the expectation")
struct JSONNodePathTests {
    @Test func pathsFollowMembersAndElements() throws {
        let root = try node(#"{"value": [{"id": "a"}, {"id": "b", "tags": ["x", 7]}]}"#, .lenient)
        let items = try root.required("value").elements()
        #expect(items.map(\.path) == ["$.value[0]", "$.value[1]"])
        let error = #expect(throws: JSONInputError.self) { try items[1].strings("tags") }
        #expect(error?.description == "f.json: $.value[1].tags[1]: expected a string, found the number 7")
        #expect(error?.file == "f.json")
        #expect(error?.path == "$.value[1].tags[1]")
        #expect(error?.message == "expected a string, found the number 7")
        #expect(error?.code == .content)
        #expect(items[0].fail("id", "is wrong").description == "f.json: $.value[0].id: is wrong")
        #expect(root.member("value")?.path == "$.value")
    }

    @Test func elementsOfAStreamedArrayKnowTheirPath() {
        let item = JSONNode(element: .object([("id", .number("1"))]), at: 41, of: "$.value", file: "users.json", mode: .lenient)
        #expect(item.path == "$.value[41]")
        #expect(read("{}", .lenient) { _ throws(JSONInputError) in try item.string("id") } == "users.json: $.value[41].id: expected a string, found the number 1")
    }

    @Test func valueAccessorsFailAtTheNodeItself() throws {
        let root = try node(#"{"a": {"b": "text"}}"#, .strict)
        let b = try root.required("a").required("b")
        #expect(b.path == "$.a.b")
        #expect(throws: JSONInputError.self) { try b.bool() }
        #expect(read(#"{"a": {"b": "text"}}"#, .strict) { n throws(JSONInputError) in try n.required("a").required("b").elements() }
            == "f.json: $.a.b: expected an array, found the string \"text\"")
        #expect(read(#"{"a": 1}"#, .strict) { n throws(JSONInputError) in try n.required("a").object() }
            == "f.json: $.a: expected an object, found the number 1")
    }

    @Test func anErrorWithoutAPathNamesTheFile() {
        let e = JSONInputError(.unreadable, file: "dir/x.json", path: "", "cannot read: Permission denied")
        #expect(e.description == "dir/x.json: cannot read: Permission denied")
        #expect(e.code == .unreadable)
        #expect(e.code != .syntax)
        #expect(e.code.description == "unreadable")
        #expect(JSONInputError(file: "f", path: "$", "x").code == .content)
    }

    @Test func keysAndCaseVariants() throws {
        let n = try node(#"{"TenantId": "t", "@odata.type": "x", "name": "n"}"#, .lenient)
        #expect(n.keys == ["TenantId", "name"])
        #expect(n.key(differingOnlyInCaseFrom: "tenantId") == "TenantId")
        #expect(n.key(differingOnlyInCaseFrom: "name") == nil)
    }

    @Test func unknownKeysAreRefusedOnlyWhenTheyHideExpectedOnes() throws {
        let expected = ["name", "email"]
        // Extra keys beside all required ones are tolerated.
        try node(#"{"name": "a", "email": "b", "note": "c"}"#, .lenient).requireKnownKeys(expected, required: expected)
        #expect(read(#"{"Name": "a", "email": "b"}"#, .lenient) { n throws(JSONInputError) in try n.requireKnownKeys(expected, required: expected) }
            == #"f.json: $: expected the keys name, email, found Name, email; keys are case-sensitive ("Name" should be lower camel case)"#)
        #expect(read(#"{"mail": "b"}"#, .lenient) { n throws(JSONInputError) in try n.requireKnownKeys(expected, required: expected) }
            == "f.json: $: expected the keys name, email, found mail")
    }

    @Test func trimming() {
        #expect(" \t20\t ".trimmingCharacters() == "20")
        #expect("\n20".trimmingCharacters() == "\n20")
    }
}
