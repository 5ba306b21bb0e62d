public import SecScoreModel
import TenantSnapshot
import Glibc

/// One partner's outcome in a fleet run.
public struct FleetEntry: Sendable {
    /// The snapshot folder's name.
    public var name: String
    public var directory: String
    /// The report, or why there is none.
    public var outcome: Result<EvaluationReport, FleetError>
}

/// Why a partner of a fleet could not be evaluated at all.
public struct FleetError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Evaluates every snapshot folder below a directory through one set of
/// checks, several partners at a time, so one process per plugin serves the
/// whole fleet with requests pipelined. A partner that fails is reported;
/// the others go on.
public enum FleetEvaluator {
    /// The snapshot folders of `directory`, by name.
    public static func snapshotFolders(in directory: String) throws(FleetError) -> [(name: String, path: String)] {
        guard let dir = opendir(directory) else {
            throw FleetError("\(directory): cannot open the fleet directory: \(String(cString: strerror(errno)))")
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

    /// Evaluates `folders`, at most `parallelism` partners at a time, and
    /// hands each partner's outcome to `handle` as soon as it is known, so
    /// reports can be written and dropped: memory stays flat however large
    /// the fleet.
    /// - Parameters:
    ///   - handle: turns an outcome into what the caller keeps (a summary
    ///     row); called concurrently from several tasks.
    ///   - progress: called after each partner with (done, total).
    /// - Returns: `handle`'s results in folder order, one per folder.
    public static func evaluate<Row: Sendable>(
        folders: [(name: String, path: String)], catalog: Catalog, options: EvaluationOptions,
        runner: some CheckRunner, parallelism: Int = 8,
        handle: @escaping @Sendable (FleetEntry) async -> Row,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async -> [Row] {
        let total = folders.count
        return await withTaskGroup(of: (Int, Row).self) { group in
            var next = 0
            var results: [Row?] = Array(repeating: nil, count: total)
            var done = 0
            func add(_ index: Int) {
                let folder = folders[index]
                group.addTask {
                    let outcome: Result<EvaluationReport, FleetError>
                    do {
                        let snapshot = try SnapshotLoader.load(directory: folder.path)
                        outcome = .success(try await Evaluator.evaluate(snapshot: snapshot, catalog: catalog, options: options, runner: runner))
                    } catch let error as SnapshotError {
                        outcome = .failure(FleetError(error.description))
                    } catch {
                        outcome = .failure(FleetError("\(error)"))
                    }
                    return (index, await handle(FleetEntry(name: folder.name, directory: folder.path, outcome: outcome)))
                }
            }
            while next < min(max(parallelism, 1), total) {
                add(next)
                next += 1
            }
            for await (index, row) in group {
                results[index] = row
                done += 1
                progress(done, total)
                if next < total {
                    add(next)
                    next += 1
                }
            }
            return results.map { $0! }
        }
    }
}
