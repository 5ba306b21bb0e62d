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
    /// An array whose `count` elements are built one at a time as they are
    /// written, and dropped after: a report's 300,000 evidence items never
    /// exist as one tree (the 1,000,000-user tenant's JSON report took
    /// 500 MB and 2.7 s that way; BENCHMARKS.md).
    case lazyArray(count: Int, element: @Sendable (Int) -> JSONOut)

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
            writeArray(count: items.count, into: &out, indent: indent) { items[$0] }
        case .lazyArray(let count, let element):
            writeArray(count: count, into: &out, indent: indent, element)
        case .object(let members):
            if members.isEmpty { out.append("{}"); return }
            out.append("{\n")
            for (i, (key, value)) in members.enumerated() {
                if out.stopped { return }
                out.indent(indent + 1)
                JSONOut.quote(key, into: &out)
                out.append(": ")
                value.write(into: &out, indent: indent + 1)
                out.append(i + 1 < members.count ? ",\n" : "\n")
            }
            out.indent(indent)
            out.append("}")
        }
    }

    private func writeArray(count: Int, into out: inout JSONByteSink, indent: Int, _ element: (Int) -> JSONOut) {
        if count == 0 { out.append("[]"); return }
        out.append("[\n")
        for i in 0..<count {
            if out.stopped { return }  // the sink refused a chunk: nothing more is wanted
            out.indent(indent + 1)
            element(i).write(into: &out, indent: indent + 1)
            out.append(i + 1 < count ? ",\n" : "\n")
        }
        out.indent(indent)
        out.append("]")
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
struct JSONByteSink: ~Copyable {
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

    private static let spaces = [UInt8](repeating: 0x20, count: 64)

    /// Two spaces per level.
    mutating func indent(_ level: Int) {
        var left = level * 2
        while left > 0 {
            let n = min(left, Self.spaces.count)
            Self.spaces.withUnsafeBytes { append(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
            left -= n
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
