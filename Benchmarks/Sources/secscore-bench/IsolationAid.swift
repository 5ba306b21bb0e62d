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
/// (SECSCORE_BENCH_SNAPSHOT, default the 1,000,000-user tenant, generated
/// into /tmp/secscore-scale as the scale suite does if missing), with each
/// check's own time through the plugins and linked in, `--scale-runs`
/// rounds. SECSCORE_BENCH_ONLY=plugins|inprocess runs one side (for perf).
func isolationAid(_ o: Options) async throws -> [(String, String)] {
    let only = getenv("SECSCORE_BENCH_ONLY").map { String(cString: $0) }
    let dir: String
    if let chosen = getenv("SECSCORE_BENCH_SNAPSHOT") {
        dir = String(cString: chosen)
    } else {
        // The scale suite's largest tenant, generated as that suite does
        // when this aid runs first.
        dir = try scaleTenant(ScaleSize.all.last!, products: o.products).dir
    }
    let snapshot = try SnapshotLoader.load(directory: dir)
    let catalog = try CatalogLoader.builtIn()
    let options = isolationOptions
    let plugins = try await launchIsolationPlugins(o) { configuration in
        // Experiments: SECSCORE_BENCH_PLUGIN_ENV="NAME=VALUE" is added to
        // the plugins' environment.
        if let setting = getenv("SECSCORE_BENCH_PLUGIN_ENV").map({ String(cString: $0) }), let eq = setting.firstIndex(of: "=") {
            configuration.environment[String(setting[..<eq])] = String(setting[setting.index(after: eq)...])
        }
    }
    var isolated: [Double] = [], inProcess: [Double] = []
    // CPU time (ms) of this process and of its reaped children: the
    // plugins of an evaluation are ended and reaped by its commit, so the
    // children's share of one evaluation is its plugins' whole CPU time.
    func cpu(_ who: __rusage_who) -> Double {
        var usage = rusage()
        getrusage(who.rawValue, &usage)
        func ms(_ t: timeval) -> Double { Double(t.tv_sec) * 1000 + Double(t.tv_usec) / 1000 }
        return ms(usage.ru_utime) + ms(usage.ru_stime)
    }
    var marks = (host: 0.0, plugins: 0.0)
    func mark() { marks = (cpu(RUSAGE_SELF), cpu(RUSAGE_CHILDREN)) }
    func line(_ label: String, _ total: Double, _ times: [String: Double]) {
        let host = cpu(RUSAGE_SELF) - marks.host, children = cpu(RUSAGE_CHILDREN) - marks.plugins
        print("  \(label) \(f(total, 0)) ms (CPU: host \(f(host, 0)) ms, plugins \(f(children, 0)) ms): "
              + times.sorted { $0.key < $1.key }.map { "\($0.key) \(f($0.value, 0))" }.joined(separator: ", "))
    }
    for _ in 0..<o.scaleRuns {
        if only != "inprocess" {
            let runner = TimingRunner(PluginCheckRunner(plugins))
            mark()
            let t = nowMicros()
            _ = try await Evaluator.evaluate(snapshot: snapshot, catalog: catalog, options: options, runner: runner)
            isolated.append((nowMicros() - t) / 1000)
            line("plugins   ", isolated.last!, runner.times.byRequirement.withLock { $0 })
        }
        if only != "plugins" {
            let runner = TimingRunner(InProcessRunner())
            mark()
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
