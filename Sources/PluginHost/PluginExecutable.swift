import Glibc

/// A plugin program to run: its path, its arguments, and optionally the
/// SHA-256 digest it must have.
public struct PluginExecutable: Hashable, Sendable {
    /// Absolute or relative path of the executable file.
    public var path: String
    /// Arguments after the program name; plugins normally take none.
    public var arguments: [String]
    /// Lowercase hex SHA-256 the file must hash to, from a lock file. When
    /// set, the host hashes the open file and executes that same open file,
    /// so a binary swapped after the check is never run.
    public var pinnedSHA256: String?

    public init(path: String, arguments: [String] = [], pinnedSHA256: String? = nil) {
        self.path = path
        self.arguments = arguments
        self.pinnedSHA256 = pinnedSHA256?.lowercased()
    }

    /// The file name, which is the plugin's name until its WELCOME says more.
    public var displayName: String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}

/// An executable opened, checked and ready to run by descriptor.
struct OpenedExecutable: ~Copyable {
    let descriptor: Int32
    let sha256: String?

    /// Opens `executable`, refuses files that are not regular, not
    /// executable, or writable by group or others, and checks the pinned
    /// digest when there is one.
    init(_ executable: PluginExecutable, computeDigest: Bool = false) throws(PluginError) {
        let path = executable.path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let err = errno
            throw PluginError(
                .spawnFailed, plugin: path,
                "cannot open \(path): \(String(cString: strerror(err))) (errno \(err))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let err = errno
            close(fd)
            throw PluginError(.spawnFailed, plugin: path, "cannot stat \(path): \(String(cString: strerror(err)))")
        }
        let mode = st.st_mode
        guard mode & S_IFMT == S_IFREG else {
            close(fd)
            throw PluginError(.untrusted, plugin: path, "\(path) is not a regular file")
        }
        guard mode & 0o111 != 0 else {
            close(fd)
            throw PluginError(.untrusted, plugin: path, "\(path) is not executable (mode \(String(mode & 0o7777, radix: 8)))")
        }
        guard mode & 0o022 == 0 else {
            close(fd)
            throw PluginError(
                .untrusted, plugin: path,
                "refusing \(path): it is writable by group or others (mode \(String(mode & 0o7777, radix: 8))); run chmod go-w on it")
        }
        var digest: String?
        if executable.pinnedSHA256 != nil || computeDigest {
            guard let hex = Self.hash(fd) else {
                close(fd)
                throw PluginError(.spawnFailed, plugin: path, "cannot read \(path) to hash it")
            }
            digest = hex
            if let pinned = executable.pinnedSHA256, pinned != hex {
                close(fd)
                throw PluginError(
                    .untrusted, plugin: path,
                    "refusing \(path): its SHA-256 is \(hex) but the lock file pins \(pinned); the binary changed since it was pinned")
            }
        }
        self.descriptor = fd
        self.sha256 = digest
    }

    deinit {
        close(descriptor)
    }

    static func hash(_ fd: Int32) -> String? {
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
            offset += off_t(n)
        }
        return hasher.finalizeHex()
    }
}
