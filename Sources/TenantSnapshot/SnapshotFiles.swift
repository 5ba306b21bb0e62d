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
