/// A value inside a snapshot file together with where it is, so that every
/// accessor can fail with the file, the path and what it expected.
///
/// Accessors are lenient where Microsoft's own responses are loose (numbers
/// as strings, booleans as strings, null for absent, sentinel dates) and
/// strict everywhere else.
struct JSONNode {
    let value: JSONValue
    let path: String
    let file: String

    func fail(_ message: String) -> SnapshotError {
        SnapshotError(file: file, path: path, message)
    }

    func fail(_ key: String, _ message: String) -> SnapshotError {
        SnapshotError(file: file, path: path + "." + key, message)
    }

    /// The member `key`, or nil when absent or null.
    func member(_ key: String) -> JSONNode? {
        guard let v = value[key], v != .null else { return nil }
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
        return items.enumerated().map { JSONNode(value: $1, path: "\(path)[\($0)]", file: file) }
    }

    /// The elements of array member `key`; empty when absent or null.
    func array(_ key: String) throws(SnapshotError) -> [JSONNode] {
        guard let m = member(key) else { return [] }
        return try m.elements()
    }

    /// A string member; "" when absent or null.
    func string(_ key: String) throws(SnapshotError) -> String {
        guard let m = member(key) else { return "" }
        guard case .string(let s) = m.value else { throw m.fail("expected a string, found \(m.value.kind)") }
        return s
    }

    /// A string member that must be present and non-empty.
    func requiredString(_ key: String) throws(SnapshotError) -> String {
        let s = try string(key)
        guard !s.isEmpty else {
            throw value[key] == nil ? fail(key, "is missing; expected a non-empty string") : fail(key, "expected a non-empty string")
        }
        return s
    }

    /// An array of strings; empty when absent or null.
    func strings(_ key: String) throws(SnapshotError) -> [String] {
        try array(key).map { node throws(SnapshotError) in
            guard case .string(let s) = node.value else { throw node.fail("expected a string, found \(node.value.kind)") }
            return s
        }
    }

    /// A boolean member; accepts the strings "true" and "false" too (one
    /// revision of Graph's alert example sends `"isTest": "false"`).
    func bool(_ key: String) throws(SnapshotError) -> Bool? {
        guard let m = member(key) else { return nil }
        switch m.value {
        case .bool(let b): return b
        case .string(let s) where s.lowercased() == "true": return true
        case .string(let s) where s.lowercased() == "false": return false
        default: throw m.fail("expected true or false, found \(m.value.kind)")
        }
    }

    /// A whole number member; accepts numeric strings ("20").
    func integer(_ key: String, min: Int64 = 0, max: Int64 = Int64.max) throws(SnapshotError) -> Int64? {
        guard let m = member(key) else { return nil }
        let text: String
        switch m.value {
        case .number(let n): text = n
        case .string(let s): text = s.trimmingCharacters()
        default: throw m.fail("expected a whole number, found \(m.value.kind)")
        }
        guard let v = Int64(text) ?? Double(text).flatMap({ $0 == $0.rounded() && abs($0) < 9e15 ? Int64($0) : nil }) else {
            throw m.fail("expected a whole number, found \(m.value.kind)")
        }
        guard v >= min, v <= max else { throw m.fail("expected a whole number from \(min) to \(max), found \(v)") }
        return v
    }

    /// A number member; accepts numeric strings. Rejects NaN and infinities.
    func number(_ key: String) throws(SnapshotError) -> Double? {
        guard let m = member(key) else { return nil }
        let text: String
        switch m.value {
        case .number(let n): text = n
        case .string(let s): text = s.trimmingCharacters()
        default: throw m.fail("expected a number, found \(m.value.kind)")
        }
        guard let v = Double(text), v.isFinite else { throw m.fail("expected a finite number, found \(m.value.kind)") }
        return v
    }

    /// A date-time member as Unix milliseconds; 0 when absent, null or one of
    /// Graph's `0001-01-01` sentinels.
    func dateTime(_ key: String) throws(SnapshotError) -> Int64 {
        guard let m = member(key) else { return 0 }
        guard case .string(let s) = m.value else { throw m.fail("expected an ISO 8601 date-time string, found \(m.value.kind)") }
        if s.isEmpty { return 0 }
        switch ISO8601.parseDateTime(s) {
        case .some(.sentinel): return 0
        case .some(.instant(let ms)): return ms
        case nil: throw m.fail("expected an ISO 8601 date-time such as 2025-10-01T12:00:00Z, found \"\(s)\"")
        }
    }

    /// One of `allowed` (compared case-insensitively); returns the canonical spelling.
    func enumeration(_ key: String, _ allowed: [String], aliases: [String: String] = [:]) throws(SnapshotError) -> String? {
        guard let m = member(key) else { return nil }
        guard case .string(let s) = m.value else { throw m.fail("expected one of \(allowed.joined(separator: ", ")), found \(m.value.kind)") }
        if let hit = allowed.first(where: { $0.lowercased() == s.lowercased() }) { return hit }
        if let alias = aliases.first(where: { $0.key.lowercased() == s.lowercased() }) { return alias.value }
        throw m.fail("expected one of \(allowed.joined(separator: ", ")), found \"\(s)\"")
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
