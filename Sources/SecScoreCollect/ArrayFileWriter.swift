import Glibc

/// Writes `{"value": [item, item, ...]}` to a file one item at a time, so a
/// collection of any size is never held in memory as a whole.
final class ArrayFileWriter {
    let path: String
    private var file: UnsafeMutablePointer<FILE>?
    private(set) var count = 0

    /// - Throws: `CollectError.output` when the file cannot be created.
    init(path: String) throws(CollectError) {
        self.path = path
        guard let f = fopen(path, "wb") else {
            throw CollectError(.output, "\(path): cannot create: \(String(cString: strerror(errno)))")
        }
        file = f
        try write(Array("{\"value\": [\n".utf8))
    }

    func append(_ bytes: some Collection<UInt8>) throws(CollectError) {
        if count > 0 { try write(Array(",\n".utf8)) }
        try write(Array(bytes))
        count += 1
    }

    /// Ends the array and closes the file.
    func finish() throws(CollectError) {
        try write(Array("\n]}\n".utf8))
        try close()
    }

    /// Closes and deletes a file that will not be complete.
    func abandon() {
        if let f = file { fclose(f) }
        file = nil
        unlink(path)
    }

    private func close() throws(CollectError) {
        guard let f = file else { return }
        file = nil
        if fclose(f) != 0 { throw CollectError(.output, "\(path): \(String(cString: strerror(errno)))") }
    }

    private func write(_ bytes: [UInt8]) throws(CollectError) {
        guard let f = file else { return }
        let n = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, f) }
        if n != bytes.count { throw CollectError(.output, "\(path): write failed: \(String(cString: strerror(errno)))") }
    }

    deinit { if let f = file { fclose(f) } }
}

/// Writes a whole small file.
func writeFile(_ path: String, _ bytes: [UInt8]) throws(CollectError) {
    guard let f = fopen(path, "wb") else { throw CollectError(.output, "\(path): cannot create: \(String(cString: strerror(errno)))") }
    let n = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, f) }
    let closed = fclose(f)
    if n != bytes.count || closed != 0 { throw CollectError(.output, "\(path): write failed") }
}
