/// The parser's input: UTF-8 bytes that outlive the parse (an array's
/// storage, or a mapped file), indexed with the same bounds checks an
/// array's are. A view, not an array, so that a file can be parsed where
/// the kernel mapped it instead of being copied into fresh memory.
struct JSONBytes: RandomAccessCollection {
    let buffer: UnsafeBufferPointer<UInt8>

    init(_ buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

    init(_ raw: UnsafeRawBufferPointer) { buffer = raw.bindMemory(to: UInt8.self) }

    var startIndex: Int { 0 }
    var endIndex: Int { buffer.count }

    subscript(position: Int) -> UInt8 {
        // Checked in release builds too: input is untrusted, and a parser
        // bug must trap, never read past the end.
        precondition(position >= 0 && position < buffer.count, "JSONBytes index out of range")
        return buffer[position]
    }

    func withUnsafeBufferPointer<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(buffer)
    }

    func withContiguousStorageIfAvailable<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        try body(buffer)
    }
}
