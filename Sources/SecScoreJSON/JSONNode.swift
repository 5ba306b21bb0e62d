/// A value inside a JSON file together with where it is, so that every
/// accessor can fail with the file, the JSON path and what it expected.
///
/// One accessor for every JSON reader, in one of two modes:
/// - `.lenient` for responses of services whose shapes are loose (Graph,
///   Partner Center): null reads as absent; a boolean may come as the string
///   "true" or "false", a number as a numeric string ("20"), a whole number
///   as 20.0; enumeration values match in any case.
/// - `.strict` for files with a schema of their own (the catalog): every
///   value must have its JSON type, and null is a value (of the wrong type
///   for every typed accessor), never absence.
///
/// Accessors on the node read the node itself (`string()`); keyed ones read
/// a member (`string("id")`) and return nil when it is absent (in lenient
/// mode, also when null). `required(_:)` turns absence into an error.
///
/// Paths are built only when something fails: a node knows its parent's
/// path and its own key or index, and the keyed accessors read members
/// directly, so a million-item collection is decoded without a path string
/// per field.
package struct JSONNode: Sendable {
    package enum Mode: Sendable, Hashable {
        case strict, lenient
    }

    package let value: JSONValue
    package let file: String
    package let mode: Mode
    // The path is `base`, then `[index]` when index >= 0, then `.key` when
    // key is not empty; so the member of an element, the common case, is
    // made without building a string. (Plain fields rather than an enum
    // with a payload: a node is copied for every item of a collection.)
    private let base: String
    private let index: Int
    private let key: String

    private init(_ value: JSONValue, file: String, mode: Mode, base: String, index: Int, key: String) {
        self.value = value
        self.file = file
        self.mode = mode
        self.base = base
        self.index = index
        self.key = key
    }

    /// A document's root (or any value at a known `path`).
    package init(_ value: JSONValue, file: String, mode: Mode, path: String = "$") {
        self.init(value, file: file, mode: mode, base: path, index: -1, key: "")
    }

    /// Element `index` of the array at `arrayPath`.
    package init(element value: JSONValue, at index: Int, of arrayPath: String, file: String, mode: Mode) {
        self.init(value, file: file, mode: mode, base: arrayPath, index: index, key: "")
    }

    /// This node's JSON path, e.g. `$.value[3].identities`.
    package var path: String {
        let element = index >= 0 ? "\(base)[\(index)]" : base
        return key.isEmpty ? element : element + "." + key
    }

    /// An error at this node.
    package func fail(_ message: String) -> JSONInputError {
        JSONInputError(.content, file: file, path: path, message)
    }

    /// An error at this node's member `key` (present or not).
    package func fail(_ key: String, _ message: String) -> JSONInputError {
        JSONInputError(.content, file: file, path: path + "." + key, message)
    }

    private func fail(_ key: String?, _ message: String) -> JSONInputError {
        key.map { fail($0, message) } ?? fail(message)
    }

    // MARK: Members

    /// Member `key`'s value without making a node of it: nil when absent,
    /// and in lenient mode when null.
    package func present(_ key: String) -> JSONValue? {
        guard let v = value[key] else { return nil }
        if mode == .lenient, case .null = v { return nil }
        return v
    }

    /// The member `key`: nil when absent, and in lenient mode when null.
    package func member(_ key: String) -> JSONNode? {
        guard let v = present(key) else { return nil }
        if self.key.isEmpty { return JSONNode(v, file: file, mode: mode, base: base, index: index, key: key) }
        return JSONNode(v, file: file, mode: mode, base: path, index: -1, key: key)
    }

    /// The member `key`.
    /// - Throws: "is missing" (with "; expected `expectation`" when given)
    ///   when it is absent, and in lenient mode when it is null.
    package func required(_ key: String, expecting expectation: String? = nil) throws(JSONInputError) -> JSONNode {
        guard let m = member(key) else { throw fail(key, expectation.map { "is missing; expected " + $0 } ?? "is missing") }
        return m
    }

    /// The member names of this object (annotations such as `@odata.type` left out).
    package var keys: [String] {
        guard case .object(let members) = value else { return [] }
        return members.map(\.0).filter { !$0.contains("@") }
    }

    /// A member name that differs from `key` only in case, when `key` itself
    /// is not one (PowerShell's ConvertTo-Json keeps .NET property names).
    package func key(differingOnlyInCaseFrom key: String) -> String? {
        keys.first { $0 != key && $0.lowercased() == key.lowercased() }
    }

    /// For objects whose keys are all known: refuses one that has keys not
    /// in `expected` while `required` keys are missing, or keys that differ
    /// from the expected ones only in case, instead of reading it as empty
    /// values. Names the keys expected and found.
    package func requireKnownKeys(_ expected: [String], required: [String]) throws(JSONInputError) {
        // Every member known, the usual case, allocates nothing: building
        // `keys` (a Character search for "@" in each) for each of 200,000
        // customers was 3% of the 1,000,000-user evaluation's CPU (perf).
        if case .object(let members) = value, members.allSatisfy({ expected.contains($0.0) }) { return }
        let found = keys
        let unknown = found.filter { !expected.contains($0) }
        guard !unknown.isEmpty else { return }
        let wrongCase = unknown.filter { u in expected.contains { $0.lowercased() == u.lowercased() } }
        let missing = required.filter { value[$0] == nil }
        guard !wrongCase.isEmpty || !missing.isEmpty else { return }
        var message = "expected the keys \(expected.joined(separator: ", ")), found \(found.joined(separator: ", "))"
        if !wrongCase.isEmpty { message += "; keys are case-sensitive (\(wrongCase.map { "\"\($0)\"" }.joined(separator: ", ")) should be lower camel case)" }
        throw fail(message)
    }

    // MARK: This node's value

    /// Requires this node to be an object.
    package func object() throws(JSONInputError) -> JSONNode {
        guard case .object = value else { throw fail("expected an object, found \(value.kind)") }
        return self
    }

    /// The elements of this node, which must be an array.
    package func elements() throws(JSONInputError) -> [JSONNode] {
        guard case .array(let items) = value else { throw fail("expected an array, found \(value.kind)") }
        let here = path
        return items.enumerated().map { JSONNode(element: $1, at: $0, of: here, file: file, mode: mode) }
    }

    package func string() throws(JSONInputError) -> String { try string(value, nil) }
    package func bool() throws(JSONInputError) -> Bool { try bool(value, nil) }
    package func integer(min: Int64 = 0, max: Int64 = Int64.max) throws(JSONInputError) -> Int64 {
        try integer(value, nil, min: min, max: max)
    }
    package func number() throws(JSONInputError) -> Double { try number(value, nil) }

    // MARK: Members' values (nil when absent; in lenient mode, when null)

    /// The elements of array member `key`.
    package func array(_ key: String) throws(JSONInputError) -> [JSONNode]? {
        try member(key)?.elements()
    }

    package func string(_ key: String) throws(JSONInputError) -> String? {
        guard let v = present(key) else { return nil }
        return try string(v, key)
    }

    /// A boolean; lenient mode accepts the strings "true" and "false" too
    /// (one revision of Graph's alert example sends `"isTest": "false"`).
    package func bool(_ key: String) throws(JSONInputError) -> Bool? {
        guard let v = present(key) else { return nil }
        return try bool(v, key)
    }

    /// A whole number from `min` to `max`; lenient mode accepts numeric
    /// strings ("20") and whole decimals (20.0).
    package func integer(_ key: String, min: Int64 = 0, max: Int64 = Int64.max) throws(JSONInputError) -> Int64? {
        guard let v = present(key) else { return nil }
        return try integer(v, key, min: min, max: max)
    }

    /// A finite number; lenient mode accepts numeric strings.
    package func number(_ key: String) throws(JSONInputError) -> Double? {
        guard let v = present(key) else { return nil }
        return try number(v, key)
    }

    /// An array of strings.
    package func strings(_ key: String) throws(JSONInputError) -> [String]? {
        guard let v = present(key) else { return nil }
        guard case .array(let items) = v else { throw fail(key, "expected an array, found \(v.kind)") }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw JSONInputError(.content, file: file, path: "\(path).\(key)[\(i)]", "expected a string, found \(item.kind)")
            }
            out.append(s)
        }
        return out
    }

    /// One of `allowed`, or of `aliases`' keys (lenient mode: in any case);
    /// returns the canonical spelling.
    package func enumeration(_ key: String, _ allowed: [String], aliases: [String: String] = [:]) throws(JSONInputError) -> String? {
        guard let v = present(key) else { return nil }
        guard case .string(let s) = v else { throw fail(key, "expected one of \(allowed.joined(separator: ", ")), found \(v.kind)") }
        if let hit = allowed.first(where: { $0 == s }) { return hit }
        switch mode {
        case .strict:
            if let alias = aliases[s] { return alias }
        case .lenient:
            let lower = s.lowercased()
            if let hit = allowed.first(where: { $0.lowercased() == lower }) { return hit }
            if let alias = aliases.first(where: { $0.key.lowercased() == lower }) { return alias.value }
        }
        throw fail(key, "expected one of \(allowed.joined(separator: ", ")), found \"\(s)\"")
    }

    // MARK: Conversions (`key` nil: the error is at this node)

    private func string(_ v: JSONValue, _ key: String?) throws(JSONInputError) -> String {
        guard case .string(let s) = v else { throw fail(key, "expected a string, found \(v.kind)") }
        return s
    }

    private func bool(_ v: JSONValue, _ key: String?) throws(JSONInputError) -> Bool {
        switch v {
        case .bool(let b): return b
        case .string(let s) where mode == .lenient && s.lowercased() == "true": return true
        case .string(let s) where mode == .lenient && s.lowercased() == "false": return false
        default: throw fail(key, "expected true or false, found \(v.kind)")
        }
    }

    /// A number's text: its JSON text, or in lenient mode a string's (trimmed).
    private func numericText(_ v: JSONValue) -> String? {
        switch v {
        case .number(let n): n
        case .string(let s) where mode == .lenient: s.trimmingCharacters()
        default: nil
        }
    }

    private func integer(_ v: JSONValue, _ key: String?, min: Int64, max: Int64) throws(JSONInputError) -> Int64 {
        let whole: Int64? = numericText(v).flatMap { text in
            if let n = Int64(text) { return n }
            guard mode == .lenient, let d = Double(text), d == d.rounded(), abs(d) < 9e15 else { return nil }
            return Int64(d)
        }
        guard let n = whole else { throw fail(key, "expected a whole number, found \(v.kind)") }
        guard n >= min, n <= max else { throw fail(key, "expected a whole number from \(min) to \(max), found \(n)") }
        return n
    }

    private func number(_ v: JSONValue, _ key: String?) throws(JSONInputError) -> Double {
        guard let text = numericText(v) else { throw fail(key, "expected a number, found \(v.kind)") }
        guard let d = Double(text), d.isFinite else { throw fail(key, "expected a finite number, found \(v.kind)") }
        return d
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (the only blanks found
    /// around numbers sent as text).
    package func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
