public import SecScoreModel
public import TenantSnapshot

/// One partner of a fleet: its name and how to get its snapshot. The engine
/// is handed loaders, not directories: where snapshots come from (folders,
/// a collection run, tests) is the caller's business.
public struct FleetPartner: Sendable {
    /// The partner's name in reports (a snapshot folder's name).
    public var name: String
    /// Reads the partner's snapshot; a thrown error is reported as that
    /// partner's failure, by its description.
    public var load: @Sendable () throws -> TenantSnapshot

    public init(name: String, load: @escaping @Sendable () throws -> TenantSnapshot) {
        self.name = name
        self.load = load
    }
}

/// One partner's outcome in a fleet run.
public struct FleetEntry: Sendable {
    public var name: String
    /// The report, or why there is none.
    public var outcome: Result<EvaluationReport, FleetError>
}

/// Why a partner of a fleet could not be evaluated at all (its snapshot
/// could not be read, or evaluation was impossible).
public struct FleetError: Error, Sendable, CustomStringConvertible {
    public let description: String
    /// The evaluation error behind it, when evaluation was impossible (for
    /// a caller that adds its own hints by code).
    public let evaluationError: EvaluationError?

    public init(_ description: String, evaluationError: EvaluationError? = nil) {
        self.description = description
        self.evaluationError = evaluationError
    }
}

/// Evaluates a fleet through one set of checks, several partners at a time,
/// so one process per plugin serves the whole fleet with requests pipelined.
/// A partner that fails is reported; the others go on.
public enum FleetEvaluator {
    /// Evaluates `partners`, at most `parallelism` at a time, in batches of
    /// `batchSize`. A batch's answers are judged at one commit point, when
    /// every check that served it is done (`CheckRunner.commit()`); only then
    /// does `handle` get each partner's outcome, so a report never depends on
    /// when a check misbehaved, and memory holds one batch, however large
    /// the fleet.
    /// - Parameters:
    ///   - handle: turns an outcome into what the caller keeps (a summary
    ///     row); called concurrently from several tasks.
    ///   - progress: called after each partner with (done, total).
    /// - Returns: `handle`'s results in `partners` order, one each.
    public static func evaluate<Row: Sendable>(
        _ partners: [FleetPartner], catalog: Catalog, options: EvaluationOptions,
        runner: some CheckRunner, parallelism: Int = 8, batchSize: Int = 64,
        handle: @escaping @Sendable (FleetEntry) async -> Row,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async -> [Row] {
        let total = partners.count
        var rows: [Row] = []
        rows.reserveCapacity(total)
        var start = 0
        while start < total {
            let batch = Array(partners[start..<min(start + max(batchSize, 1), total)])
            let pending = await run(batch, catalog: catalog, options: options, runner: runner, parallelism: parallelism)
            await runner.commit()
            let handled = await withTaskGroup(of: (Int, Row).self) { group in
                for (index, partner) in batch.enumerated() {
                    let outcome = pending[index].map { $0.report() }
                    group.addTask { (index, await handle(FleetEntry(name: partner.name, outcome: outcome))) }
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
        _ batch: [FleetPartner], catalog: Catalog, options: EvaluationOptions,
        runner: some CheckRunner, parallelism: Int
    ) async -> [Result<PendingEvaluation, FleetError>] {
        await withTaskGroup(of: (Int, Result<PendingEvaluation, FleetError>).self) { group in
            var results: [Result<PendingEvaluation, FleetError>?] = Array(repeating: nil, count: batch.count)
            var next = 0, running = 0
            while next < batch.count || running > 0 {
                // Keep `parallelism` partners in flight; wait for one only
                // when that many are running or none is left to start.
                if next < batch.count && running < max(parallelism, 1) {
                    let index = next, partner = batch[index]
                    group.addTask { (index, await evaluate(partner, catalog: catalog, options: options, runner: runner)) }
                    next += 1
                    running += 1
                } else if let (index, result) = await group.next() {
                    results[index] = result
                    running -= 1
                } else {
                    break  // no child left; `running` says this cannot happen
                }
            }
            return results.map { $0! }
        }
    }

    /// Loads one partner's snapshot and runs its checks; either failure
    /// becomes the partner's `FleetError`.
    ///
    /// A function, not code inside `addTask`'s closure: Swift 6.3.1 at -O
    /// miscompiles a closure given to `addTask` that returns from both arms
    /// of a `do throws(E)`/`catch` (the task's result comes back as garbage
    /// and the release build traps; debug is fine). `make test` runs
    /// `scripts/check-task-closures.py`, which rejects that shape anywhere.
    private static func evaluate(
        _ partner: FleetPartner, catalog: Catalog, options: EvaluationOptions, runner: some CheckRunner
    ) async -> Result<PendingEvaluation, FleetError> {
        let snapshot: TenantSnapshot
        do {
            snapshot = try partner.load()
        } catch {
            return .failure(FleetError("\(error)"))
        }
        do throws(EvaluationError) {
            return .success(try await Evaluator.run(snapshot: snapshot, catalog: catalog, options: options, runner: runner))
        } catch {
            return .failure(FleetError(error.description, evaluationError: error))
        }
    }
}
