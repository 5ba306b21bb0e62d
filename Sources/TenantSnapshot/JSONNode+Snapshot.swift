import SecScoreJSON

/// Accessors for snapshot files only: their messages speak of Graph's
/// conventions and of how to save a response.
extension JSONNode {
    /// A snapshot file's root: Graph and Partner Center responses are read
    /// leniently (null as absent, numbers and booleans as strings).
    static func snapshot(_ value: JSONValue, file: String) -> JSONNode {
        JSONNode(value, file: file, mode: .lenient)
    }

    /// Element `index` of a snapshot file's array at `arrayPath`.
    static func snapshot(element value: JSONValue, at index: Int, of arrayPath: String, file: String) -> JSONNode {
        JSONNode(element: value, at: index, of: arrayPath, file: file, mode: .lenient)
    }

    /// A string member that must be present and non-empty.
    func requiredString(_ key: String) throws(SnapshotError) -> String {
        let s = try string(key) ?? ""
        guard !s.isEmpty else {
            guard value[key] == nil else { throw fail(key, "expected a non-empty string") }
            throw fail(key, "is missing; expected a non-empty string" + caseHint(for: key))
        }
        return s
    }

    /// When `key` is missing but a member differs from it only in case (as
    /// PowerShell's ConvertTo-Json keeps .NET property names), says so.
    func caseHint(for key: String) -> String {
        guard let other = self.key(differingOnlyInCaseFrom: key) else { return "" }
        return " (found \"\(other)\": keys are case-sensitive; save the raw response with `az rest --url ...` or `Invoke-MgGraphRequest -Uri ... -OutputType Json`, not a PowerShell object through ConvertTo-Json)"
    }

    /// A date-time member as Unix milliseconds; 0 when absent, null or one of
    /// Graph's `0001-01-01` sentinels.
    func dateTime(_ key: String) throws(SnapshotError) -> Int64 {
        guard let s = try dateTimeText(key), !s.isEmpty else { return 0 }
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

    private func dateTimeText(_ key: String) throws(SnapshotError) -> String? {
        guard let v = present(key) else { return nil }
        guard case .string(let s) = v else { throw fail(key, "expected an ISO 8601 date-time string, found \(v.kind)") }
        return s
    }
}
