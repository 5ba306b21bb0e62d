import Glibc
import PluginCheckRunner
import PluginHost
import SecScoreEngine
import SecScoreModel
import SecScoreWire
import Synchronization
import TenantSnapshot

/// Wraps a runner and records how long each requirement's check took
/// (milliseconds, from the request built to the answer returned).
struct TimingRunner<Base: CheckRunner>: CheckRunner {
    final class Times: Sendable {
        let byRequirement = Mutex<[String: Double]>([:])
    }

    let base: Base
    let times = Times()

    init(_ base: Base) { self.base = base }

    func check(for requirementID: String) -> CheckBinding? {
        guard let binding = base.check(for: requirementID) else { return nil }
        let times = self.times
        return CheckBinding(name: binding.name, descriptor: binding.descriptor) { request, timeout in
            let t0 = nowMicros()
            let answer = await binding.evaluate(request, timeout)
            let elapsed = (nowMicros() - t0) / 1000
            times.byRequirement.withLock { $0[requirementID] = elapsed }
            return answer
        }
    }

    var unavailableReasons: [String] { base.unavailableReasons }
    func commit() async { await base.commit() }
}

/// Profiling aid: the isolation measure of the scale suite on one snapshot
/// (SECSCORE_BENCH_SNAPSHOT, default the 1,000,000-user tenant), with each
/// check's own time through the plugins and linked in, `--scale-runs`
/// rounds. SECSCORE_BENCH_ONLY=plugins|inprocess runs one side (for perf).
func isolationAid(_ o: Options) async throws -> [(String, String)] {
    let dir = String(cString: getenv("SECSCORE_BENCH_SNAPSHOT") ?? strdup("/tmp/secscore-scale/l-1000000"))
    let only = getenv("SECSCORE_BENCH_ONLY").map { String(cString: $0) }
    let snapshot = try SnapshotLoader.load(directory: dir)
    let catalog = try CatalogLoader.builtIn()
    let options = EvaluationOptions(asOf: CivilDate("2025-11-15")!, checkTimeout: .seconds(600))
    var configuration = PluginHostConfiguration()
    configuration.requestTimeout = .seconds(600)
    // Experiments: SECSCORE_BENCH_PASS="NAME,..." passes those of this
    // process's environment variables to the plugins.
    if let names = getenv("SECSCORE_BENCH_PASS") {
        configuration.passthroughEnvironment = String(cString: names).split(separator: ",").map(String.init)
    }
    let plugins = try await PluginSet.launch(
        ["secscore-plugin-admin-mfa", "secscore-plugin-alert-response", "secscore-plugin-spending-budget"]
            .map { PluginExecutable(path: o.products + "/" + $0) },
        configuration: configuration)
    var isolated: [Double] = [], inProcess: [Double] = []
    func line(_ label: String, _ total: Double, _ times: [String: Double]) {
        print("  \(label) \(f(total, 0)) ms: " + times.sorted { $0.key < $1.key }.map { "\($0.key) \(f($0.value, 0))" }.joined(separator: ", "))
    }
    for _ in 0..<o.scaleRuns {
        if only != "inprocess" {
            let runner = TimingRunner(PluginCheckRunner(plugins))
            let t = nowMicros()
            _ = try await Evaluator.evaluate(snapshot: snapshot, catalog: catalog, options: options, runner: runner)
            isolated.append((nowMicros() - t) / 1000)
            line("plugins   ", isolated.last!, runner.times.byRequirement.withLock { $0 })
        }
        if only != "plugins" {
            let runner = TimingRunner(InProcessRunner())
            let t = nowMicros()
            _ = try await Evaluator.evaluate(snapshot: snapshot, catalog: catalog, options: options, runner: runner)
            inProcess.append((nowMicros() - t) / 1000)
            line("in-process", inProcess.last!, runner.times.byRequirement.withLock { $0 })
        }
    }
    await plugins.shutdown()
    guard !isolated.isEmpty, !inProcess.isEmpty else { return [] }
    let ratio = Stats(isolated).median / Stats(inProcess).median
    print("isolation \(dir): plugins \(f(Stats(isolated).median, 0)) ms, in-process \(f(Stats(inProcess).median, 0)) ms, \(f(ratio, 2))x")
    return [("isolationRatio", f(ratio, 3))]
}
