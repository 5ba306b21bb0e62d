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

    /// `value`, or an equal string seen before.
    mutating func string(_ value: String) -> String {
        guard value.utf8.count > 15 else { return value }
        if let shared = strings[value] { return shared }
        if strings.count < Self.capacity { strings[value] = value }
        return value
    }

    /// `value`, or an equal list seen before (its strings shared too).
    mutating func list(_ value: [String]) -> [String] {
        guard !value.isEmpty else { return value }
        if let shared = lists[value] { return shared }
        guard lists.count < Self.capacity else { return value }
        let kept = value.map { string($0) }
        lists[kept] = kept
        return kept
    }
}
