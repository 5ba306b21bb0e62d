/// A value inside a snapshot file together with where it is, so that every
/// accessor can fail with the file, the path and what it expected.
///
/// Accessors are lenient where Microsoft's own responses are loose (numbers
/// as strings, booleans as strings, null for absent, sentinel dates) and
/// strict everywhere else.
///
/// Paths are built only when something fails: an element knows its array's
/// path and its index, and the typed accessors read members directly, so a
/// million-item collection is decoded without a path string per field.
struct JSONNode {
    let value: JSONValue
    let file: String
    /// This node's path, or its array's when `index` is set.
    private let base: String
    private let index: Int

    init(value: JSONValue, path: String, file: String) {
        self.value = value
        self.file = file
        self.base = path
        self.index = -1
    }

    /// Element `index` of the array at `arrayPath`.
    init(element value: JSONValue, of arrayPath: String, at index: Int, file: String) {
        self.value = value
        self.file = file
        self.base = arrayPath
        self.index = index
    }

    /// The JSON path of this node, e.g. `$.value[3]`.
    var path: String { index < 0 ? base : "\(base)[\(index)]" }

    func fail(_ message: String) -> SnapshotError {
        SnapshotError(file: file, path: path, message)
    }

    func fail(_ key: String, _ message: String) -> SnapshotError {
        SnapshotError(file: file, path: path + "." + key, message)
    }

    /// The value of member `key`; nil when absent or null.
    private func raw(_ key: String) -> JSONValue? {
        guard let v = value[key] else { return nil }
        if case .null = v { return nil }
        return v
    }

    /// The member `key`, or nil when absent or null.
    func member(_ key: String) -> JSONNode? {
        guard let v = raw(key) else { return nil }
        return JSONNode(value: v, path: path + "." + key, file: file)
    }

    /// Requires this node to be an object.
    func object() throws(SnapshotError) -> JSONNode {
        guard case .object = value else { throw fail("expected an object, found \(value.kind)") }
        return self
    }

    /// The elements of this node, which must be an array.
    func elements() throws(SnapshotError) -> [JSONNode] {
        guard case .array(let items) = value else { throw fail("expected an array, found \(value.kind)") }
        let here = path
        return items.enumerated().map { JSONNode(element: $1, of: here, at: $0, file: file) }
    }

    /// The elements of array member `key`; empty when absent or null.
    func array(_ key: String) throws(SnapshotError) -> [JSONNode] {
        guard let m = member(key) else { return [] }
        return try m.elements()
    }

    /// A string member; "" when absent or null.
    func string(_ key: String) throws(SnapshotError) -> String {
        guard let v = raw(key) else { return "" }
        guard case .string(let s) = v else { throw fail(key, "expected a string, found \(v.kind)") }
        return s
    }

    /// A string member that must be present and non-empty.
    func requiredString(_ key: String) throws(SnapshotError) -> String {
        let s = try string(key)
        guard !s.isEmpty else {
            guard value[key] == nil else { throw fail(key, "expected a non-empty string") }
            throw fail(key, "is missing; expected a non-empty string" + caseHint(for: key))
        }
        return s
    }

    /// The member names of this object (annotations such as `@odata.type` left out).
    var keys: [String] {
        guard case .object(let members) = value else { return [] }
        return members.map(\.0).filter { !$0.contains("@") }
    }

    /// When `key` is missing but a member differs from it only in case (as
    /// PowerShell's ConvertTo-Json keeps .NET property names), says so.
    func caseHint(for key: String) -> String {
        guard let other = keys.first(where: { $0 != key && $0.lowercased() == key.lowercased() }) else { return "" }
        return " (found \"\(other)\": keys are case-sensitive; save the raw response with `az rest --url ...` or `Invoke-MgGraphRequest -Uri ... -OutputType Json`, not a PowerShell object through ConvertTo-Json)"
    }

    /// For files secscore defines itself: refuses an object that has keys
    /// secscore does not read while `required` keys are missing, or keys that
    /// differ from the expected ones only in case, instead of reading it as
    /// empty values. Names the keys expected and found.
    func requireKnownKeys(_ expected: [String], required: [String]) throws(SnapshotError) {
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

    /// An array of strings; empty when absent or null.
    func strings(_ key: String) throws(SnapshotError) -> [String] {
        guard let v = raw(key) else { return [] }
        guard case .array(let items) = v else { throw fail(key, "expected an array, found \(v.kind)") }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw SnapshotError(file: file, path: "\(path).\(key)[\(i)]", "expected a string, found \(item.kind)")
            }
            out.append(s)
        }
        return out
    }

    /// A boolean member; accepts the strings "true" and "false" too (one
    /// revision of Graph's alert example sends `"isTest": "false"`).
    func bool(_ key: String) throws(SnapshotError) -> Bool? {
        guard let v = raw(key) else { return nil }
        switch v {
        case .bool(let b): return b
        case .string(let s) where s.lowercased() == "true": return true
        case .string(let s) where s.lowercased() == "false": return false
        default: throw fail(key, "expected true or false, found \(v.kind)")
        }
    }

    /// A whole number member; accepts numeric strings ("20").
    func integer(_ key: String, min: Int64 = 0, max: Int64 = Int64.max) throws(SnapshotError) -> Int64? {
        guard let v = raw(key) else { return nil }
        let text: String
        switch v {
        case .number(let n): text = n
        case .string(let s): text = s.trimmingCharacters()
        default: throw fail(key, "expected a whole number, found \(v.kind)")
        }
        guard let n = Int64(text) ?? Double(text).flatMap({ $0 == $0.rounded() && abs($0) < 9e15 ? Int64($0) : nil }) else {
            throw fail(key, "expected a whole number, found \(v.kind)")
        }
        guard n >= min, n <= max else { throw fail(key, "expected a whole number from \(min) to \(max), found \(n)") }
        return n
    }

    /// A number member; accepts numeric strings. Rejects NaN and infinities.
    func number(_ key: String) throws(SnapshotError) -> Double? {
        guard let v = raw(key) else { return nil }
        let text: String
        switch v {
        case .number(let n): text = n
        case .string(let s): text = s.trimmingCharacters()
        default: throw fail(key, "expected a number, found \(v.kind)")
        }
        guard let d = Double(text), d.isFinite else { throw fail(key, "expected a finite number, found \(v.kind)") }
        return d
    }

    /// A date-time member as Unix milliseconds; 0 when absent, null or one of
    /// Graph's `0001-01-01` sentinels.
    func dateTime(_ key: String) throws(SnapshotError) -> Int64 {
        guard let v = raw(key) else { return 0 }
        guard case .string(let s) = v else { throw fail(key, "expected an ISO 8601 date-time string, found \(v.kind)") }
        if s.isEmpty { return 0 }
        switch ISO8601.parseDateTime(s) {
        case .some(.sentinel): return 0
        case .some(.instant(let ms)): return ms
        case nil:
            if ISO8601.parseDateTime(s + "Z") != nil {
                throw fail(key, "has no time zone (\"\(s)\"): the instant is unknown; expected UTC with Z or an offset, as Graph writes it (2025-10-01T12:00:00Z)")
            }
            throw fail(key, "expected an ISO 8601 date-time such as 2025-10-01T12:00:00Z, found \"\(s)\"")
        }
    }

    /// One of `allowed` (compared case-insensitively); returns the canonical spelling.
    func enumeration(_ key: String, _ allowed: [String], aliases: [String: String] = [:]) throws(SnapshotError) -> String? {
        guard let v = raw(key) else { return nil }
        guard case .string(let s) = v else { throw fail(key, "expected one of \(allowed.joined(separator: ", ")), found \(v.kind)") }
        if let hit = allowed.first(where: { $0 == s }) { return hit }
        let lower = s.lowercased()
        if let hit = allowed.first(where: { $0.lowercased() == lower }) { return hit }
        if let alias = aliases.first(where: { $0.key.lowercased() == lower }) { return alias.value }
        throw fail(key, "expected one of \(allowed.joined(separator: ", ")), found \"\(s)\"")
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
