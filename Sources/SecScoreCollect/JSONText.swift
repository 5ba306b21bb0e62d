import Foundation

/// A small JSON writer for the few objects collect builds itself (the
/// client assertion, merged groups, per-user MFA items, budgets, the
/// manifest). Keys keep their order; strings are escaped per RFC 8259.
package indirect enum JSONText: Sendable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONText])
    case object([(String, JSONText)])
    /// Bytes already known to be one JSON value (an item copied verbatim).
    case raw([UInt8])

    package var utf8: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    package func write(into out: inout [UInt8]) {
        switch self {
        case .string(let s): Self.writeString(s, into: &out)
        case .number(let n):
            if n.rounded() == n, abs(n) < 1e15 { out.append(contentsOf: String(Int64(n)).utf8) } else { out.append(contentsOf: String(n).utf8) }
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .raw(let bytes): out.append(contentsOf: bytes)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Reads the parts of a JSON page collect needs without building a tree of
/// every item: the byte ranges of the top-level members, and of the
/// elements of an array. Items are then copied verbatim to the snapshot.
package enum JSONScan {
    /// Top-level members of an object: key to the byte range of its value.
    /// - Throws: `CollectError.badResponse` if `bytes` is not one JSON object.
    package static func members(_ bytes: [UInt8]) throws(CollectError) -> [String: Range<Int>] {
        var i = skipSpace(bytes, 0)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { throw bad("expected a JSON object") }
        i += 1
        var out: [String: Range<Int>] = [:]
        i = skipSpace(bytes, i)
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { return out }
        while true {
            i = skipSpace(bytes, i)
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw bad("expected a key") }
            let keyEnd = try skipValue(bytes, i)
            let key = try decodeString(Array(bytes[i..<keyEnd]))
            i = skipSpace(bytes, keyEnd)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw bad("expected ':'") }
            i = skipSpace(bytes, i + 1)
            let end = try skipValue(bytes, i)
            out[key] = i..<end
            i = skipSpace(bytes, end)
            guard i < bytes.count else { throw bad("unterminated object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { return out }
            throw bad("expected ',' or '}'")
        }
    }

    /// The byte ranges of the elements of the array at `range`.
    package static func elements(_ bytes: [UInt8], _ range: Range<Int>) throws(CollectError) -> [Range<Int>] {
        var i = skipSpace(bytes, range.lowerBound)
        guard i < range.upperBound, bytes[i] == UInt8(ascii: "[") else { throw bad("expected an array") }
        i = skipSpace(bytes, i + 1)
        var out: [Range<Int>] = []
        if i < range.upperBound, bytes[i] == UInt8(ascii: "]") { return out }
        while true {
            i = skipSpace(bytes, i)
            let end = try skipValue(bytes, i)
            out.append(i..<end)
            i = skipSpace(bytes, end)
            guard i < range.upperBound else { throw bad("unterminated array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { return out }
            throw bad("expected ',' or ']'")
        }
    }

    /// The string at `range` (quotes included), unescaped; nil if it is not a string.
    package static func string(_ bytes: [UInt8], _ range: Range<Int>) -> String? {
        guard range.lowerBound < bytes.count, bytes[range.lowerBound] == UInt8(ascii: "\"") else { return nil }
        return try? decodeString(Array(bytes[range]))
    }

    /// Parses the value at `range` with JSONSerialization (small values only).
    package static func object(_ bytes: [UInt8], _ range: Range<Int>) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(bytes[range]), options: [.fragmentsAllowed])
    }

    /// Unescapes a quoted JSON string (RFC 8259 section 7). Done by hand:
    /// it runs for every key of every item, and JSONSerialization on Linux
    /// kept memory per call (100,000 users grew the collector by 80 MiB).
    static func decodeString(_ quoted: [UInt8]) throws(CollectError) -> String {
        guard quoted.count >= 2, quoted.first == UInt8(ascii: "\""), quoted.last == UInt8(ascii: "\"") else { throw bad("bad string") }
        let body = quoted[1..<(quoted.count - 1)]
        guard body.contains(UInt8(ascii: "\\")) else { return String(decoding: body, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var i = body.startIndex
        func hex4(_ at: Int) throws(CollectError) -> UInt32 {
            guard at + 4 <= body.endIndex, let v = UInt32(String(decoding: body[at..<(at + 4)], as: UTF8.self), radix: 16) else { throw bad("bad \\u escape") }
            return v
        }
        while i < body.endIndex {
            let c = body[i]
            guard c == UInt8(ascii: "\\") else { out.append(c); i += 1; continue }
            guard i + 1 < body.endIndex else { throw bad("bad escape") }
            let e = body[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(i)
                i += 4
                if (0xD800..<0xDC00).contains(scalar), i + 6 <= body.endIndex, body[i] == UInt8(ascii: "\\"), body[i + 1] == UInt8(ascii: "u") {
                    let low = try hex4(i + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                out.append(contentsOf: String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
            default: throw bad("bad escape")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func skipSpace(_ b: [UInt8], _ start: Int) -> Int {
        var i = start
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        return i
    }

    /// The index just past the value starting at `start`.
    static func skipValue(_ b: [UInt8], _ start: Int) throws(CollectError) -> Int {
        guard start < b.count else { throw bad("unexpected end") }
        switch b[start] {
        case UInt8(ascii: "\""):
            var i = start + 1
            while i < b.count {
                if b[i] == UInt8(ascii: "\\") { i += 2; continue }
                if b[i] == UInt8(ascii: "\"") { return i + 1 }
                i += 1
            }
            throw bad("unterminated string")
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var i = start
            while i < b.count {
                switch b[i] {
                case UInt8(ascii: "\""):
                    i = try skipValue(b, i)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            throw bad("unterminated container")
        default:
            var i = start
            while i < b.count, !(b[i] == UInt8(ascii: ",") || b[i] == UInt8(ascii: "}") || b[i] == UInt8(ascii: "]") || b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09) { i += 1 }
            guard i > start else { throw bad("expected a value") }
            return i
        }
    }

    static func bad(_ what: String) -> CollectError { CollectError(.badResponse, "not the JSON Microsoft documents: \(what)") }
}
