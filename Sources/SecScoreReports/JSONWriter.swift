/// A JSON value built in code, written with a stable member order so that
/// reports diff cleanly and golden files are exact. (Not `indirect`: arrays
/// hold their elements out of line already, and boxing every string and
/// number cost an allocation per value, 15 per evidence item.)
package enum JSONOut: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONOut])
    case object([(String, JSONOut)])
    /// An array whose `count` elements are written straight into the
    /// output by `element` (given the element's index, the output and the
    /// element's indent level), through `ObjectLayout` and `ArrayLayout`
    /// so they read as built values would; they never exist as values.
    /// For the report's evidence items, a measured need (BENCHMARKS.md):
    /// the 1,000,000-user tenant's 301,000 items as one tree took 500 MB
    /// and 2.7 s; built one at a time and walked, 0.40-0.49 s to /dev/null;
    /// written straight, 0.25-0.35 s.
    case writtenArray(count: Int, element: @Sendable (Int, inout JSONByteSink, Int) -> Void)

    /// Pretty-printed with two-space indents.
    package func rendered() -> String {
        var bytes: [UInt8] = []
        write { bytes.append(contentsOf: $0); return true }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the pretty-printed text (and a final newline) to `sink` in
    /// order, in chunks of 64 KiB (the last one less; a chunk may end inside
    /// a string, even inside a character's UTF-8 bytes). `sink` returns false to stop: no chunk
    /// follows, and `write` returns false.
    @discardableResult
    package func write(to sink: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        withoutActuallyEscaping(sink) { sink in
            var out = JSONByteSink(sink)
            write(into: &out, indent: 0)
            out.append(0x0A)
            return out.finish()
        }
    }

    private func write(into out: inout JSONByteSink, indent: Int) {
        switch self {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): out.append(String(i))
        case .double(let d): out.append(JSONOut.number(d))
        case .string(let s): JSONOut.quote(s, into: &out)
        case .array(let items):
            writeArray(count: items.count, into: &out, indent: indent) { i, out, indent in items[i].write(into: &out, indent: indent) }
        case .writtenArray(let count, let element):
            writeArray(count: count, into: &out, indent: indent, element)
        case .object(let members):
            var object = ObjectLayout(indent: indent, into: &out)
            for (key, value) in members {
                if out.stopped { return }
                object.member(key, into: &out)
                value.write(into: &out, indent: indent + 1)
            }
            object.end(into: &out)
        }
    }

    private func writeArray(count: Int, into out: inout JSONByteSink, indent: Int, _ element: (Int, inout JSONByteSink, Int) -> Void) {
        var array = ArrayLayout(indent: indent, into: &out)
        for i in 0..<count {
            if out.stopped { return }  // the sink refused a chunk: nothing more is wanted
            array.element(into: &out)
            element(i, &out, indent + 1)
        }
        array.end(into: &out)
    }

    /// An array written element by element: `[]` when it has none, else
    /// each element on its own line, indented two spaces a level, and the
    /// bracket on a line of its own. The layout of every array written, and
    /// of every object (`ObjectLayout`, with braces).
    struct ArrayLayout {
        private let indent: Int
        private let closing: UInt8
        private var elements = 0

        /// Writes the opening bracket of an array at `indent` levels.
        init(indent: Int, into out: inout JSONByteSink) {
            self.init(indent: indent, opening: 0x5B, closing: 0x5D, into: &out)
        }

        fileprivate init(indent: Int, opening: UInt8, closing: UInt8, into out: inout JSONByteSink) {
            self.indent = indent
            self.closing = closing
            out.append(opening)
        }

        /// Starts an element's line; the caller then writes the element.
        mutating func element(into out: inout JSONByteSink) {
            out.append(elements == 0 ? "\n" : ",\n")
            elements += 1
            out.indent(indent + 1)
        }

        func end(into out: inout JSONByteSink) {
            if elements > 0 {
                out.append(0x0A)
                out.indent(indent)
            }
            out.append(closing)
        }
    }

    /// An object written member by member, in the layout of `ArrayLayout`.
    struct ObjectLayout {
        private var members: ArrayLayout

        /// Writes the opening brace of an object at `indent` levels.
        init(indent: Int, into out: inout JSONByteSink) {
            members = ArrayLayout(indent: indent, opening: 0x7B, closing: 0x7D, into: &out)
        }

        /// Writes `key` and the colon; the caller then writes its value.
        mutating func member(_ key: String, into out: inout JSONByteSink) {
            members.element(into: &out)
            JSONOut.quote(key, into: &out)
            out.append(": ")
        }

        /// Writes a string member.
        mutating func member(_ key: String, _ value: String, into out: inout JSONByteSink) {
            member(key, into: &out)
            JSONOut.quote(value, into: &out)
        }

        func end(into out: inout JSONByteSink) { members.end(into: &out) }
    }

    /// Shortest round-tripping form, integers without ".0".
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }

    static func quote(_ s: String, into out: inout JSONByteSink) {
        out.append(0x22)
        var s = s
        // Most strings need no escape: printable ASCII goes in whole.
        let plain = s.withUTF8 { utf8 in
            guard utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) else { return false }
            out.append(UnsafeRawBufferPointer(utf8))
            return true
        }
        if !plain {
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out.append("\\\"")
                case "\\": out.append("\\\\")
                case "\n": out.append("\\n")
                case "\r": out.append("\\r")
                case "\t": out.append("\\t")
                default:
                    if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029 {
                        let hex = String(scalar.value, radix: 16)
                        out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                    } else {
                        out.append(String(scalar))
                    }
                }
            }
        }
        out.append(0x22)
    }
}

/// Collects written bytes into 64 KiB chunks and hands each full one to
/// the sink, so a report of any size is written in constant memory.
///
/// The chunk is raw memory rather than a `[UInt8]`, for a measured need:
/// `Array.append(contentsOf:)`, with its capacity and uniqueness checks on
/// every key, string and punctuation mark, was a fifth of writing the
/// 1,000,000-user tenant's JSON report (perf, BENCHMARKS.md "isolation").
package struct JSONByteSink: ~Copyable {
    private static let chunk = 65_536
    private let base = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 1)
    private var count = 0
    private let sink: (UnsafeRawBufferPointer) -> Bool
    private var failed = false

    /// True once the sink has refused a chunk.
    var stopped: Bool { failed }

    init(_ sink: @escaping (UnsafeRawBufferPointer) -> Bool) {
        self.sink = sink
    }

    deinit { base.deallocate() }

    mutating func append(_ byte: UInt8) {
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
        if count == Self.chunk { flush() }
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard var from = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = min(left, Self.chunk - count)
            (base + count).copyMemory(from: from, byteCount: n)
            count += n
            from += n
            left -= n
            if count == Self.chunk { flush() }
        }
    }

    /// Two spaces per level, set in place (a shared array of spaces cost a
    /// `swift_once` check and a retain on each of the report's lines).
    mutating func indent(_ level: Int) {
        var left = level * 2
        while left > 0 {
            let n = min(left, Self.chunk - count)
            (base + count).initializeMemory(as: UInt8.self, repeating: 0x20, count: n)
            count += n
            left -= n
            if count == Self.chunk { flush() }
        }
    }

    private mutating func flush() {
        if !failed, count > 0 {
            failed = !sink(UnsafeRawBufferPointer(start: base, count: count))
        }
        count = 0
    }

    /// Hands over what is left; false when the sink refused a chunk.
    mutating func finish() -> Bool {
        flush()
        return !failed
    }
}
