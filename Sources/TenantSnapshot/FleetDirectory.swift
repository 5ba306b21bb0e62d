import Glibc

/// A fleet on disk: a directory whose subfolders are snapshots, one partner
/// each, named by the folder.
public enum FleetDirectory {
    /// The snapshot folders of `directory` (hidden ones skipped), by name.
    /// - Throws: `SnapshotError` naming the directory when it cannot be read.
    public static func snapshotFolders(in directory: String) throws(SnapshotError) -> [(name: String, path: String)] {
        guard let dir = opendir(directory) else {
            throw SnapshotError(.unreadable, file: directory, path: "", "cannot open the fleet directory: \(String(cString: strerror(errno)))")
        }
        defer { closedir(dir) }
        var found: [(String, String)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard !name.hasPrefix(".") else { continue }
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var st = stat()
            if stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR { found.append((name, path)) }
        }
        return found.sorted { $0.0 < $1.0 }
    }
}
