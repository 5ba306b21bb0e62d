import Glibc

/// Why a JSON text could not be parsed, with its line and column.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// What stopped a streamed collection: the JSON text, or the caller's
/// handling of an item.
public enum JSONStreamError<ItemError: Error>: Error {
    /// The text is not JSON.
    case syntax(JSONParseError)
    /// The item handler threw.
    case item(ItemError)
}

/// A strict RFC 8259 parser over UTF-8 bytes with a nesting limit.
///
/// What it does that Foundation's `JSONDecoder` and `JSONSerialization` do
/// not (BENCHMARKS.md, "json", has the figures): it refuses duplicate member
/// names (JSONDecoder silently keeps the first, JSONSerialization the
/// last) and trailing commas (JSONDecoder accepts them); it keeps numbers as
/// their source text, so `"20"` and `20` can be read alike and `1e400`
/// refused at its path; it streams a collection's items instead of building
/// the whole tree; and it reports line and column. On the scale tenants it
/// is also about 5x faster and 5x smaller than JSONSerialization, and the
/// snapshot loader on it 1.3-1.9x faster than JSONDecoder.
public struct JSONParser {
    private let bytes: JSONBytes
    private var index = 0
    private var depth = 0
    /// Member names seen at each position of recent objects: the objects of
    /// a collection repeat the same names in the same order, so a name is
    /// compared with the cached one and shared instead of allocated again.
    private var keyCache: [String] = []
    /// How many members the last object at each depth (up to 16) had: the
    /// next one there is given room for as many, instead of growing its
    /// array 1, 2, 4, 8, 16 (an allocation and a copy each time).
    private var memberCounts = [Int](repeating: 0, count: 16)
    /// Deeper nesting than this is refused rather than risking the stack.
    public static let maxDepth = 512

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in try parse(JSONBytes(buffer)) }
    }

    private static func parse(_ bytes: JSONBytes) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        // A UTF-8 byte order mark is tolerated (PowerShell writes one).
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected text after the end of the document") }
        return value
    }

    private init(bytes: JSONBytes) { self.bytes = bytes }

    /// Parses a collection document without keeping its items: each element
    /// of the top-level array, or of the top-level object's member
    /// `streamedMember` when that is an array, goes to `item` with its index
    /// as soon as it is parsed, and is then dropped. `item` is also told
    /// whether the array is the document itself (a bare array) rather than
    /// the member. A million-item file thus never exists as one tree.
    ///
    /// The first error `item` throws stops the parse and is rethrown as
    /// `.item`, so a caller keeps its own error type (and its messages).
    /// - Returns: the document with that array left empty (so the caller
    ///   can still read its other members, or a single entity), and whether
    ///   an array was streamed.
    /// - Throws: `.syntax` for text that is not JSON, `.item` for an item's error.
    @inlinable
    public static func parseCollection<ItemError: Error>(
        _ bytes: [UInt8], streamedMember: String = "value",
        item: (_ value: JSONValue, _ index: Int, _ bare: Bool) throws(ItemError) -> Void
    ) throws(JSONStreamError<ItemError>) -> (document: JSONValue, streamed: Bool) {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONStreamError<ItemError>) in
            try parseCollection(UnsafeRawBufferPointer(buffer), streamedMember: streamedMember, item: item)
        }
    }

    /// `parseCollection` over bytes that stay valid for the call, such as a
    /// mapped file; nothing parsed refers to them afterwards.
    /// - Parameter consumed: called after each streamed item with the
    ///   offset the parse has reached; the bytes before it are never read
    ///   again, unless an error then needs its line and column.
    @inlinable
    public static func parseCollection<ItemError: Error>(
        _ bytes: UnsafeRawBufferPointer, streamedMember: String = "value",
        consumed: (_ offset: Int) -> Void = { _ in },
        item: (_ value: JSONValue, _ index: Int, _ bare: Bool) throws(ItemError) -> Void
    ) throws(JSONStreamError<ItemError>) -> (document: JSONValue, streamed: Bool) {
        // Generic only in this shell, which is inlined into the caller: the
        // parse below is not, and generic code there looked up the error
        // type's metadata for every item (5% of a snapshot's load).
        var failure: ItemError?
        let parsed = streamCollection(bytes, streamedMember: streamedMember) { value, index, bare, offset in
            do throws(ItemError) {
                try item(value, index, bare)
                consumed(offset)
                return true
            } catch {
                failure = error
                return false
            }
        }
        // An item's error stops the parse and wins over the parse error
        // used to unwind.
        if let failure { throw .item(failure) }
        switch parsed {
        case .success(let result): return result
        case .failure(let error): throw .syntax(error)
        }
    }

    /// `parseCollection` without generics: `item` gets the value, its
    /// index, whether the array is bare and the offset just past the value;
    /// it returns false to stop.
    @usableFromInline
    static func streamCollection(
        _ raw: UnsafeRawBufferPointer, streamedMember: String, item: (JSONValue, Int, Bool, Int) -> Bool
    ) -> Result<(document: JSONValue, streamed: Bool), JSONParseError> {
        let bytes = JSONBytes(raw)
        var parser = JSONParser(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
        var streamed = false
        func stream(_ parser: inout JSONParser, bare: Bool) throws(JSONParseError) {
            streamed = true
            let finished = try parser.forEachElement { value, position, end in item(value, position, bare, end) }
            // Only unwinds: the item's own error is what the caller throws,
            // so no line and column are counted (that would read the whole
            // file again from its start, pages already given back included).
            if !finished { throw JSONParseError(line: 0, column: 0, message: "stopped by an item") }
        }
        do throws(JSONParseError) {
            parser.skipWhitespace()
            guard parser.index < bytes.count else { throw parser.error("unexpected end of the document") }
            let document: JSONValue
            switch bytes[parser.index] {
            case UInt8(ascii: "["):
                try stream(&parser, bare: true)
                document = .array([])
            case UInt8(ascii: "{"):
                document = try parser.parseObject(streaming: streamedMember) { parser throws(JSONParseError) in
                    try stream(&parser, bare: false)
                }
            default:
                document = try parser.parseValue()
            }
            parser.skipWhitespace()
            guard parser.index == bytes.count else { throw parser.error("unexpected text after the end of the document") }
            return .success((document, streamed))
        } catch {
            return .failure(error)
        }
    }

    private func error(_ message: String) -> JSONParseError {
        var line = 1
        var column = 1
        for b in bytes[..<min(index, bytes.count)] {
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return JSONParseError(line: line, column: column, message: message)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of the document") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default:
            let c = bytes[index]
            throw error(c >= 0x20 && c < 0x7F ? "unexpected character '\(Character(UnicodeScalar(c)))'" : "unexpected byte 0x\(String(c, radix: 16))")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let matches = word.withUTF8Buffer { w in
            bytes.count - index >= w.count && w.indices.allSatisfy { bytes[index + $0] == w[$0] }
        }
        guard matches else { throw error("invalid literal (expected \(word))") }
        index += word.utf8CodeUnitCount
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth) levels") }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try parseObject(streaming: nil) { _ in }
    }

    /// An object. A member named `streamedKey` whose value is an array is
    /// handed to `stream` instead of being parsed into the tree (it is kept
    /// as an empty array).
    private mutating func parseObject(
        streaming streamedKey: String?, _ stream: (inout JSONParser) throws(JSONParseError) -> Void
    ) throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var members: [(String, JSONValue)] = []
        var keys = Set<String>()
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        let level = depth < memberCounts.count ? depth : nil
        if let level, memberCounts[level] > 0 { members.reserveCapacity(memberCounts[level]) }
        defer { if let level { memberCounts[level] = members.count } }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name in double quotes") }
            let key = try parseKey(position: members.count)
            // Graph objects have a handful of members: a scan beats hashing.
            let duplicate: Bool
            if members.count < 16 {
                duplicate = members.contains { $0.0 == key }
            } else {
                if keys.isEmpty { keys = Set(members.map(\.0)) }
                duplicate = !keys.insert(key).inserted
            }
            guard !duplicate else { throw error("duplicate member \"\(key)\"") }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after member name \"\(key)\"") }
            index += 1
            skipWhitespace()
            if let streamedKey, key == streamedKey, index < bytes.count, bytes[index] == UInt8(ascii: "[") {
                try stream(&self)
                members.append((key, .array([])))
            } else {
                members.append((key, try parseValue()))
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of the document inside an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            throw error("expected ',' or '}' in an object")
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        var items: [JSONValue] = []
        _ = try forEachElement { value, _, _ in
            items.append(value)
            return true
        }
        return .array(items)
    }

    /// Parses the array starting here, calling `element` with each value,
    /// its index and the offset just past it. Returns false when `element`
    /// stopped it (by returning false).
    private mutating func forEachElement(_ element: (JSONValue, Int, Int) -> Bool) throws(JSONParseError) -> Bool {
        try enter()
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return true
        }
        var position = 0
        while true {
            skipWhitespace()
            let value = try parseValue()
            guard element(value, position, index) else { return false }
            position += 1
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of the document inside an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return true
            }
            throw error("expected ',' or ']' in an array")
        }
    }

    /// A member name, shared with the cached name at `position` when the
    /// bytes are the same, else parsed (and cached when it has no quote or
    /// backslash, so that equal bytes always mean an equal, valid name).
    private mutating func parseKey(position: Int) throws(JSONParseError) -> String {
        if position < keyCache.count {
            let cached = keyCache[position]
            let start = index + 1
            let n = cached.utf8.count
            let end = start + n
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                let same = cached.utf8.withContiguousStorageIfAvailable { c in
                    bytes.withUnsafeBufferPointer { b in memcmp(b.baseAddress! + start, c.baseAddress!, n) == 0 }
                } ?? false
                if same {
                    index = end + 1
                    return cached
                }
            }
        }
        let key = try parseString()
        guard !key.utf8.contains(UInt8(ascii: "\"")), !key.utf8.contains(UInt8(ascii: "\\")) else { return key }
        if position < keyCache.count {
            keyCache[position] = key
        } else if position == keyCache.count, position < 64 {
            keyCache.append(key)
        }
        return key
    }

    private mutating func parseNumber() throws(JSONParseError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        func digits(_ p: inout JSONParser) -> Int {
            let s = p.index
            while p.index < p.bytes.count, (0x30...0x39).contains(p.bytes[p.index]) { p.index += 1 }
            return p.index - s
        }
        let intStart = index
        let intDigits = digits(&self)
        guard intDigits > 0 else { throw error("invalid number") }
        if intDigits > 1, bytes[intStart] == UInt8(ascii: "0") { throw error("numbers may not have leading zeros") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw error("invalid number: digits expected after '.'") }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw error("invalid number: digits expected in the exponent") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        var high: UInt8 = 0
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let end = index
                let s = try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in
                    let slice = UnsafeBufferPointer(rebasing: buffer[start..<end])
                    // ASCII needs no validation; anything else is checked.
                    if high < 0x80 { return String(decoding: slice, as: UTF8.self) }
                    guard let s = String(validating: slice, as: UTF8.self) else { throw error("a string is not valid UTF-8") }
                    return s
                }
                index += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("control character in a string (escape it)") }
            high |= b
            index += 1
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return try validUTF8(out[...])
            }
            if b < 0x20 { throw error("control character in a string (escape it)") }
            if b != UInt8(ascii: "\\") {
                out.append(b)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate \\u\(String(scalar, radix: 16))")
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid low surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw error("unpaired surrogate \\u\(String(scalar, radix: 16))")
                }
                out.append(contentsOf: Array(String(UnicodeScalar(scalar)!).utf8))
            default:
                throw error("invalid escape \\\(Character(UnicodeScalar(e)))")
            }
        }
        throw error("unterminated string")
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw error("invalid \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | d
            index += 1
        }
        return v
    }

    private func validUTF8(_ slice: ArraySlice<UInt8>) throws(JSONParseError) -> String {
        guard let s = String(validating: slice, as: UTF8.self) else { throw error("a string is not valid UTF-8") }
        return s
    }
}
