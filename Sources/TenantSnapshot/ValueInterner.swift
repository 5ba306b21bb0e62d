import SecScoreJSON

/// One shared copy of the values that repeat from item to item of a
/// collection: a registration's list of methods, an alert's type, the
/// issuer of a user's identities. A million items then hold one heap
/// string or array instead of a million equal ones.
///
/// Written here for a measured need: the 1,000,000-user benchmark tenant's
/// registrations each held their own `["microsoftAuthenticatorPush"]`, an
/// array and a 26-byte string (two heap blocks, 128 bytes), 122 MB in all.
/// Only values that take heap space are kept: strings of more than 15
/// UTF-8 bytes (shorter ones are stored inline) and non-empty lists.
///
/// The table holds at most `capacity` distinct values of each kind; past
/// that, new values are returned as they came. It is meant for fields
/// whose values repeat (enumerations, tenant ids, issuers), but a field of
/// unique values cannot make it grow without bound.
struct ValueInterner {
    /// Distinct strings, and distinct lists, kept at most.
    static let capacity = 4096

    private var strings: [String: String] = [:]
    private var lists: [[String]: [String]] = [:]
    /// The lists `list(_:of:)` returned last, most recent first.
    private var recent: [[String]] = []
    /// How many recent lists are compared before a list is built.
    static let recentLists = 4

    /// `value`, or a string of the same UTF-8 bytes seen before.
    mutating func string(_ value: String) -> String {
        guard value.utf8.count > 15 else { return value }
        // The table finds canonically equivalent strings (`==`); only one
        // of the same bytes is shared (see `hasSameUTF8`).
        if let shared = strings[value] { return shared.hasSameUTF8(as: value) ? shared : value }
        if strings.count < Self.capacity { strings[value] = value }
        return value
    }

    /// `value`, or a list of the same strings, byte for byte, seen before
    /// (its strings shared too).
    mutating func list(_ value: [String]) -> [String] {
        guard !value.isEmpty else { return value }
        if let shared = lists[value] {
            return zip(shared, value).allSatisfy { $0.hasSameUTF8(as: $1) } ? shared : value
        }
        guard lists.count < Self.capacity else { return value }
        let kept = value.map { string($0) }
        // `string` may have kept a value's own copy (a canonically
        // equivalent one was there first); then the list is kept as it came.
        guard zip(kept, value).allSatisfy({ $0.hasSameUTF8(as: $1) }) else { return value }
        lists[kept] = kept
        return kept
    }

    /// `list(node.strings(key) ?? [])`, the same value and the same errors,
    /// but a JSON array of the same strings, byte for byte, as one of the
    /// last few lists returned is answered with that list without building
    /// one. A million registrations repeat a few lists of methods, and
    /// building, hashing and dropping each item's list was a third of
    /// decoding a registration (perf of the 1,000,000-user tenant's load).
    mutating func list(_ key: String, of node: JSONNode) throws(JSONInputError) -> [String] {
        if case .array(let items)? = node.present(key) {
            if items.isEmpty { return [] }
            for candidate in recent where candidate.count == items.count {
                let same = zip(candidate, items).allSatisfy { kept, item in
                    if case .string(let s) = item { return s.hasSameUTF8(as: kept) }
                    return false
                }
                if same { return candidate }
            }
        }
        let made = list(try node.strings(key) ?? [])
        if !made.isEmpty {
            recent.insert(made, at: 0)
            if recent.count > Self.recentLists { recent.removeLast() }
        }
        return made
    }
}
