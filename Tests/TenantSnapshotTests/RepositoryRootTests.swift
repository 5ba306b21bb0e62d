import Glibc
import SecScoreTestSupport
import Testing

/// The helper every test uses to find the repository's files.
@Suite("Repository root")
struct RepositoryRootTests {
    /// The root is the package's folder.
    @Test func rootHoldsPackageManifest() {
        #expect(access(repositoryRoot + "/Package.swift", R_OK) == 0, "no Package.swift in \(repositoryRoot)")
        #expect(access(fixture("Package.swift"), R_OK) == 0)
    }

    /// Every file below the folders the suites read (fixtures, examples and
    /// their golden reports, docs), resolved through any symbolic link, lies
    /// inside the root: nothing the tests read comes from beside the checkout.
    @Test func fixturesLieInsideTheRoot() throws {
        let root = try #require(realPath(repositoryRoot))
        var paths: [String] = []
        for folder in ["Tests/Fixtures", "Examples", "docs"] {
            paths.append(fixture(folder))
            paths += filesBelow(fixture(folder))
        }
        #expect(paths.contains(fixture("Tests/Fixtures/graph-shapes/conditionalAccessPolicies.json")))
        #expect(paths.contains(fixture("Examples/snapshots/fabrikam-distributor/users.json")))
        for path in paths {
            let resolved = try #require(realPath(path), "\(path) does not resolve")
            #expect(resolved.hasPrefix(root + "/"), "\(path) resolves to \(resolved), outside \(root)")
        }
    }

    /// The paths of the files and folders below `folder`.
    func filesBelow(_ folder: String) -> [String] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var paths: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let path = folder + "/" + name
            paths.append(path)
            if entry.pointee.d_type == UInt8(DT_DIR) { paths += filesBelow(path) }
        }
        return paths
    }

    func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
