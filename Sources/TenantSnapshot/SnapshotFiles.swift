import Glibc
import SecScoreJSON

/// Reading a snapshot's files: bytes, text encodings, JSON.
extension SnapshotLoader {
    /// Reads and parses a file; nil when it does not exist.
    static func readJSON(_ path: String) throws(SnapshotError) -> JSONNode? {
        guard let bytes = try readBytes(path) else { return nil }
        do {
            return .snapshot(try JSONParser.parse(bytes), file: path)
        } catch {
            throw SnapshotError(.syntax, file: path, path: "", "is not valid JSON: \(error)")
        }
    }

    /// A file's bytes as UTF-8; nil when it does not exist. UTF-16 with a
    /// byte-order mark (what Windows PowerShell 5.1's `>` and `Out-File`
    /// write) is converted; UTF-16 without one is refused with the fix.
    static func readBytes(_ path: String) throws(SnapshotError) -> [UInt8]? {
        guard let raw = try readRawBytes(path) else { return nil }
        return try TextEncoding.utf8(raw, file: path)
    }

    /// Calls `body` with a file's bytes as UTF-8 (see `readBytes`); nil when
    /// the file does not exist. A regular UTF-8 file of 1 MiB or more is
    /// mapped read-only instead of read: the kernel then neither copies it
    /// nor zero-fills fresh pages for it (the 520 MB of the 1,000,000-user
    /// snapshot's files were 18% of its evaluation's page faults, perf).
    /// Anything else, or a mapping the kernel refuses, is read.
    ///
    /// `body` also gets `parsedUpTo`, to call as it goes with the offset
    /// it will not read before again: a mapping then gives those pages back
    /// (`MappedFile.release`), so a file's pages are not all resident at
    /// once beside the facets built from them. Reading a released byte
    /// again is still correct (it comes back from the page cache).
    ///
    /// A mapped file that another process truncates while it is parsed
    /// stops secscore with SIGBUS. Snapshots are replaced whole by rename
    /// (`secscore collect` writes that way), which leaves the mapped file
    /// intact.
    static func withUTF8Bytes<R>(
        _ path: String, _ body: (UnsafeRawBufferPointer, _ parsedUpTo: (Int) -> Void) throws(SnapshotError) -> R
    ) throws(SnapshotError) -> R? {
        if let mapped = MappedFile(path) {
            defer { mapped.unmap() }
            // UTF-16 (with a byte-order mark) needs transcoding: read below.
            let head = Array(mapped.bytes.prefix(4))
            if try TextEncoding.utf8(head, file: path) == head {
                var released = 0
                return try body(mapped.bytes) { offset in mapped.release(before: offset, released: &released) }
            }
        }
        guard let bytes = try readBytes(path) else { return nil }
        return try bytes.withUnsafeBufferPointer { buffer throws(SnapshotError) in try body(UnsafeRawBufferPointer(buffer)) { _ in } }
    }

    /// A file's bytes as they are; nil when it does not exist.
    static func readRawBytes(_ path: String) throws(SnapshotError) -> [UInt8]? {
        guard let file = fopen(path, "rb") else {
            if errno == ENOENT { return nil }
            throw SnapshotError(.unreadable, file: path, path: "", "cannot read: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        // One allocation of the file's size, filled by fread: growing an
        // array 64 KiB at a time copied a 250 MB file a dozen times.
        var st = stat()
        let expected = fstat(fileno(file), &st) == 0 && st.st_mode & S_IFMT == S_IFREG ? Int(st.st_size) : 0
        var bytes: [UInt8] = []
        bytes.reserveCapacity(expected + 1)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        if expected > 0 {
            bytes = [UInt8](unsafeUninitializedCapacity: expected) { out, count in
                count = fread(out.baseAddress, 1, expected, file)
            }
        }
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n > 0 { bytes.append(contentsOf: buffer[..<n]) }
            if n < buffer.count {
                if ferror(file) != 0 { throw SnapshotError(.unreadable, file: path, path: "", "read error") }
                break
            }
        }
        return bytes
    }
}

/// A regular file of 1 MiB or more mapped read-only, or nil (smaller,
/// missing, not regular, or not mappable: the caller reads it instead).
/// The path is looked at with stat(2) before it is opened, so a named pipe
/// is opened once only, by the reader.
struct MappedFile {
    static let threshold = 1 << 20
    let bytes: UnsafeRawBufferPointer

    init?(_ path: String) {
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size >= Self.threshold else { return nil }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // The file may have been replaced since: map what is open now.
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size >= Self.threshold else { return nil }
        let size = Int(st.st_size)
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else { return nil }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    /// How much is given back at a time: a multiple of the page size, and
    /// large enough that the madvise(2) calls cost nothing measurable (500
    /// for the 1,000,000-user snapshot's 520 MB).
    static let releaseStep = 1 << 20

    /// Gives back the pages wholly before `offset`, a `releaseStep` at a
    /// time; `released` is where the last release ended. MADV_DONTNEED on
    /// a private mapping never written to drops the pages from this
    /// process only: reading them again maps them back from the file.
    func release(before offset: Int, released: inout Int) {
        let end = min(offset, bytes.count) / Self.releaseStep * Self.releaseStep
        guard end > released, let base = bytes.baseAddress else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + released), end - released, MADV_DONTNEED)
        released = end
    }

    func unmap() {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}
