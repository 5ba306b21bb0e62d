import Glibc

/// Fails early, before any plugin runs, when `path` could not be written:
/// its folder is missing or not writable, or it exists and is not writable.
/// - Throws: `CommandFailure` naming the path and the system's reason.
func checkWritable(_ path: String) throws(CommandFailure) {
    let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
    var st = stat()
    if stat(path, &st) == 0 {
        if st.st_mode & S_IFMT == S_IFDIR { throw CommandFailure("error: cannot write \(path): it is a directory") }
        if access(path, W_OK) != 0 { throw CommandFailure("error: cannot write \(path): \(String(cString: strerror(errno)))") }
        return
    }
    if access(folder.isEmpty ? "/" : folder, W_OK) != 0 {
        throw CommandFailure("error: cannot write \(path): \(folder.isEmpty ? "/" : folder): \(String(cString: strerror(errno)))")
    }
}

/// Writes `text` to `path` whole or not at all: into a temporary file beside
/// it, then renamed over it, so a failure never leaves a half report or
/// destroys the previous one. Special files (a pipe, /dev/stdout) are
/// written directly.
/// - Throws: `CommandFailure` naming the path and the system's reason.
func writeFile(_ path: String, _ text: String) throws(CommandFailure) {
    try writeFile(path) { sink in
        var text = text
        return text.withUTF8 { sink(UnsafeRawBufferPointer($0)) }
    }
}

/// Writes all of `bytes` to standard output (the terminal dashboard, or a
/// report sent to `-`). Returns 0, or the errno of the write that failed
/// (a closed pipe, a full disk).
func writeStandardOutput(_ bytes: UnsafeRawBufferPointer) -> Int32 {
    var done = 0
    while done < bytes.count {
        let n = write(1, bytes.baseAddress! + done, bytes.count - done)
        if n < 0, errno == EINTR { continue }
        if n < 0 { return errno }
        if n == 0 { return EIO }
        done += n
    }
    return 0
}

/// Writes what `produce` hands its sink, chunk by chunk, to `path`, whole
/// or not at all, as `writeFile(_:_:)` does; the sink returns false once a
/// write failed, and `produce` should then stop.
/// - Throws: `CommandFailure` naming the path and the system's reason.
func writeFile(_ path: String, produce: ((UnsafeRawBufferPointer) -> Bool) -> Bool) throws(CommandFailure) {
    var st = stat()
    let special = stat(path, &st) == 0 && st.st_mode & S_IFMT != S_IFREG
    let target = special ? path : path + ".tmp-\(getpid())"
    guard let file = fopen(target, "wb") else {
        throw CommandFailure("error: cannot write \(path): \(String(cString: strerror(errno)))")
    }
    var err: Int32 = 0
    var ok = produce { chunk in
        guard fwrite(chunk.baseAddress, 1, chunk.count, file) == chunk.count else { err = errno; return false }
        return true
    }
    if ok, fflush(file) != 0 { ok = false; err = errno }
    fclose(file)
    guard ok else {
        if !special { unlink(target) }
        throw CommandFailure("error: cannot write \(path): \(String(cString: strerror(err)))")
    }
    if !special, rename(target, path) != 0 {
        let err = errno
        unlink(target)
        throw CommandFailure("error: cannot write \(path): \(String(cString: strerror(err)))")
    }
}

/// Reads a whole file as UTF-8.
/// - Throws: `CommandFailure` naming the file and the system's reason.
func readFile(_ path: String) throws(CommandFailure) -> String {
    guard let file = fopen(path, "r") else {
        throw CommandFailure("error: cannot read \(path): \(String(cString: strerror(errno)))")
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n == 0 { break }
        bytes += buffer[..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}
