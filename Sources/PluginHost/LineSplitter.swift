/// Splits a byte stream (a plugin's stderr) into lines with a bounded buffer.
///
/// A line longer than `maxLineBytes` is emitted cut, with the count of bytes
/// dropped, and the rest of it up to the next newline is skipped without
/// being stored: a plugin that writes gigabytes without a newline costs the
/// host `maxLineBytes` of memory, no more.
struct LineSplitter {
    let maxLineBytes: Int
    private var current: [UInt8] = []
    private var skipped = 0

    init(maxLineBytes: Int) {
        self.maxLineBytes = max(16, maxLineBytes)
        current.reserveCapacity(min(self.maxLineBytes, 4096))
    }

    /// Feeds bytes; calls `emit` for each finished line (without the newline;
    /// a trailing carriage return is dropped) and the number of bytes cut.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: (ArraySlice<UInt8>, Int) -> Void) {
        var start = 0
        while start < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
            if let nl = rest.firstIndex(of: UInt8(ascii: "\n")) {
                append(UnsafeRawBufferPointer(rebasing: rest[..<nl]))
                flushLine(emit: emit)
                start += nl + 1
            } else {
                append(rest)
                start = bytes.count
            }
        }
    }

    /// Emits what is left at end of stream.
    mutating func finish(emit: (ArraySlice<UInt8>, Int) -> Void) {
        if !current.isEmpty || skipped > 0 {
            flushLine(emit: emit)
        }
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let room = maxLineBytes - current.count
        if bytes.count <= room {
            current.append(contentsOf: bytes)
        } else {
            current.append(contentsOf: bytes[..<room])
            skipped += bytes.count - room
        }
    }

    private mutating func flushLine(emit: (ArraySlice<UInt8>, Int) -> Void) {
        var line = current[...]
        if skipped == 0, line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        emit(line, skipped)
        current.removeAll(keepingCapacity: true)
        skipped = 0
    }
}
