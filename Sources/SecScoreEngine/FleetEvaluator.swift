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

    /// Evaluates `folders`, at most `parallelism` partners at a time, in
    /// batches of `batchSize`. A batch's answers are judged at one commit
    /// point, when every plugin process that served it has ended and its
    /// output has been read to the end (`CheckRunner.commit()`); only then
    /// does `handle` get each partner's outcome, so a report never depends on
    /// when a plugin misbehaved, and memory holds one batch, however large
    /// the fleet. Fresh processes serve the next batch (like a worker's
    /// maximum-requests setting).
    /// - Parameters:
    ///   - handle: turns an outcome into what the caller keeps (a summary
    ///     row); called concurrently from several tasks.
    ///   - progress: called after each partner with (done, total).
    /// - Returns: `handle`'s results in folder order, one per folder.
    public static func evaluate<Row: Sendable>(
        folders: [(name: String, path: String)], catalog: Catalog, options: EvaluationOptions,
        runner: some CheckRunner, parallelism: Int = 8, batchSize: Int = 64,
        handle: @escaping @Sendable (FleetEntry) async -> Row,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async -> [Row] {
        let total = folders.count
        var rows: [Row] = []
        rows.reserveCapacity(total)
        var start = 0
        while start < total {
            let batch = Array(folders[start..<min(start + max(batchSize, 1), total)])
            let pending = await run(batch, catalog: catalog, options: options, runner: runner, parallelism: parallelism)
            await runner.commit()
            let handled = await withTaskGroup(of: (Int, Row).self) { group in
                for (index, folder) in batch.enumerated() {
                    let outcome = pending[index].map { $0.report() }
                    group.addTask { (index, await handle(FleetEntry(name: folder.name, directory: folder.path, outcome: outcome))) }
                }
                var out: [Row?] = Array(repeating: nil, count: batch.count)
                var done = 0
                for await (index, row) in group {
                    out[index] = row
                    done += 1
                    progress(start + done, total)
                }
                return out.map { $0! }
            }
            rows += handled
            start += batch.count
        }
        return rows
    }

    /// Loads and runs one batch, at most `parallelism` partners at a time.
    static func run(
        _ batch: [(name: String, path: String)], catalog: Catalog, options: EvaluationOptions,
        runner: some CheckRunner, parallelism: Int
    ) async -> [Result<PendingEvaluation, FleetError>] {
        await withTaskGroup(of: (Int, Result<PendingEvaluation, FleetError>).self) { group in
            var next = 0
            var results: [Result<PendingEvaluation, FleetError>?] = Array(repeating: nil, count: batch.count)
            func add(_ index: Int) {
                let folder = batch[index]
                group.addTask {
                    do {
                        let snapshot = try SnapshotLoader.load(directory: folder.path)
                        return (index, .success(try await Evaluator.run(snapshot: snapshot, catalog: catalog, options: options, runner: runner)))
                    } catch let error as SnapshotError {
                        return (index, .failure(FleetError(error.description)))
                    } catch {
                        return (index, .failure(FleetError("\(error)")))
                    }
                }
            }
            while next < min(max(parallelism, 1), batch.count) {
                add(next)
                next += 1
            }
            for await (index, result) in group {
                results[index] = result
                if next < batch.count {
                    add(next)
                    next += 1
                }
            }
            return results.map { $0! }
        }
    }
}
