import Dispatch
import Glibc
import SecScoreJSON
import Synchronization
import SecScoreWire

/// Reads a snapshot directory. Every file is optional; each one present
/// must be valid, or loading stops with a `SnapshotError` that names the
/// file, the JSON path and what was expected. Which files there are, and
/// what each one feeds, is `FacetRegistry`.
public enum SnapshotLoader {
    /// Loads `directory`.
    /// - Throws: `SnapshotError` for the first bad file (`.unreadable` when
    ///   the directory cannot be read).
    public static func load(directory: String) throws(SnapshotError) -> TenantSnapshot {
        var st = stat()
        guard stat(directory, &st) == 0 else {
            throw SnapshotError(.unreadable, file: directory, path: "", "cannot open the snapshot directory: \(String(cString: strerror(errno)))")
        }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw SnapshotError(.unreadable, file: directory, path: "", "is not a directory; a snapshot is a directory of JSON files")
        }
        let entries = FacetRegistry.entries
        // The files are independent, so they are read side by side (the
        // 1,000,000-user snapshot's users, registrations and subscriptions
        // are most of the load); the outcome is gathered in registry order,
        // so the first bad file reported is the same as read one by one.
        let outcomes = Mutex([Result<LoadedFacet?, SnapshotError>?](repeating: nil, count: entries.count))
        let order = largestFirst(entries, in: directory)
        DispatchQueue.concurrentPerform(iterations: entries.count) { turn in
            let index = order[turn]
            var context = FacetRegistry.Context(directory: directory)
            var part = Secscore_Tenant_V1_Facets()
            let outcome = Result { () throws(SnapshotError) -> LoadedFacet? in
                try entries[index].load(&context, &part) ? LoadedFacet(facets: part, partner: context.partner) : nil
            }
            outcomes.withLock { $0[index] = outcome }
        }
        var facets = Secscore_Tenant_V1_Facets()
        var present = Set<Secscore_Tenant_V1_Facet>()
        var partner: PartnerProfile?
        // Moved out of the lock, and dropped once copied, so the facets'
        // arrays end up held only by `facets` (shareUserStrings needs that).
        var gathered = outcomes.withLock { all in
            defer { all = [] }
            return all
        }
        for (entry, outcome) in zip(entries, gathered) {
            guard let loaded = try outcome!.get() else { continue }
            entry.copy(loaded.facets, &facets)
            partner = partner ?? loaded.partner
            present.insert(entry.facet)
        }
        gathered = []
        shareUserStrings(&facets)
        var snapshot = TenantSnapshot(directory: directory, partner: partner, facets: facets, presentFacets: present)
        snapshot.unreadFiles = unreadFiles(in: directory)
        snapshot.collectionReasons = CollectionManifest.load(directory: directory)?.leftOut ?? [:]
        let scorePath = FacetRegistry.Context(directory: directory).path(MicrosoftScoreReader.fileName)
        if let bytes = try readBytes(scorePath) {
            snapshot.microsoftScore = try MicrosoftScoreReader.read(bytes, file: scorePath)
        }
        return snapshot
    }

    /// The entries' indices, those with the most bytes to read first.
    ///
    /// `concurrentPerform` hands out iterations in order (libdispatch's
    /// way, not a documented promise: only the speed depends on it), so
    /// this is the longest-first rule. In registry order the 1,000,000-user
    /// snapshot's users went to one thread and its registrations to the
    /// other, and the users' thread then read the alerts, customers and
    /// subscriptions while the other sat idle: the reads ended at
    /// 2.40-2.51 s; largest first at 1.99-2.61 s, the two threads ending
    /// 0.00-0.16 s apart (two and three runs, timed per file). Only the order
    /// of work changes: outcomes are still gathered in registry order.
    package static func largestFirst(_ entries: [FacetRegistry.Entry], in directory: String) -> [Int] {
        let context = FacetRegistry.Context(directory: directory)
        let sizes = entries.map { entry in
            ([entry.fileName] + entry.mergedFileNames).reduce(0) { total, name in
                var st = stat()
                return total + (stat(context.path(name), &st) == 0 ? Int(st.st_size) : 0)
            }
        }
        // Ties keep registry order (a stable sort by size).
        return sizes.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
    }

    /// One file's facet, read apart from the others.
    private struct LoadedFacet: Sendable {
        var facets: Secscore_Tenant_V1_Facets
        var partner: PartnerProfile?
    }

    /// Regular files in `directory` that no facet reads (dot files and
    /// documentation aside).
    static func unreadFiles(in directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        let known = TenantSnapshot.knownFileNames
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard !name.hasPrefix("."), !known.contains(name), !name.hasSuffix(".md") else { continue }
            var st = stat()
            guard stat(directory + "/" + name, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            names.append(name)
        }
        return names.sorted()
    }
}
