import Crypto
import SystemPackage

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
    let descriptor: FileDescriptor
    let sha256: String?

    /// Opens `executable`, refuses files that are not regular, not
    /// executable, or writable by group or others, and checks the pinned
    /// digest when there is one.
    init(_ executable: PluginExecutable, computeDigest: Bool = false) throws(PluginError) {
        let path = executable.path
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
        } catch {
            let err = (error as? Errno) ?? .ioError
            throw PluginError(.spawnFailed, plugin: path, "cannot open \(path): \(err) (errno \(err.rawValue))")
        }
        let st: Stat
        do {
            st = try fd.stat()
        } catch {
            try? fd.close()
            throw PluginError(.spawnFailed, plugin: path, "cannot stat \(path): \(error)")
        }
        let mode = st.permissions.rawValue
        guard st.type == .regular else {
            try? fd.close()
            throw PluginError(.untrusted, plugin: path, "\(path) is not a regular file")
        }
        guard mode & 0o111 != 0 else {
            try? fd.close()
            throw PluginError(.untrusted, plugin: path, "\(path) is not executable (mode \(String(mode & 0o7777, radix: 8)))")
        }
        guard mode & 0o022 == 0 else {
            try? fd.close()
            throw PluginError(
                .untrusted, plugin: path,
                "refusing \(path): it is writable by group or others (mode \(String(mode & 0o7777, radix: 8))); run chmod go-w on it")
        }
        var digest: String?
        if executable.pinnedSHA256 != nil || computeDigest {
            guard let hex = try? Self.hash(fd) else {
                try? fd.close()
                throw PluginError(.spawnFailed, plugin: path, "cannot read \(path) to hash it")
            }
            digest = hex
            if let pinned = executable.pinnedSHA256, pinned != hex {
                try? fd.close()
                throw PluginError(
                    .untrusted, plugin: path,
                    "refusing \(path): its SHA-256 is \(hex) but the lock file pins \(pinned); the binary changed since it was pinned")
            }
        }
        self.descriptor = fd
        self.sha256 = digest
    }

    deinit {
        try? descriptor.close()
    }

    /// The SHA-256 of everything `fd` holds (read by offset, so the
    /// descriptor's position stays where it was), as 64 lowercase hex digits.
    static func hash(_ fd: FileDescriptor) throws -> String {
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var offset: Int64 = 0
        while true {
            let n = try buffer.withUnsafeMutableBytes { try fd.read(fromAbsoluteOffset: offset, into: $0) }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<n])) }
            offset += Int64(n)
        }
        return hasher.finalize().hex
    }
}

extension SHA256Digest {
    /// Lowercase hex, as sha256sum prints it.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(Self.byteCount * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
