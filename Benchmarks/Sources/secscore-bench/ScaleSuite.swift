import Glibc
import PluginHost
import SecScoreCheckers
import PluginCheckRunner
import SecScoreEngine
import SecScoreModel
import SecScoreWire
import TenantSnapshot

/// One size of generated tenant.
struct ScaleSize {
    var name: String
    var admins, users, policies, alerts, customers, subscriptions: Int

    var arguments: [String] {
        ["--admins", String(admins), "--users", String(users), "--policies", String(policies), "--alerts", String(alerts),
         "--customers", String(customers), "--subscriptions", String(subscriptions), "--seed", "42", "--as-of", "2025-11-15"]
    }

    static let all = [
        ScaleSize(name: "xs", admins: 10, users: 10_000, policies: 20, alerts: 1_000, customers: 1_000, subscriptions: 10_000),
        ScaleSize(name: "s", admins: 50, users: 50_000, policies: 50, alerts: 5_000, customers: 5_000, subscriptions: 50_000),
        ScaleSize(name: "m", admins: 200, users: 200_000, policies: 100, alerts: 20_000, customers: 20_000, subscriptions: 200_000),
        ScaleSize(name: "l", admins: 1_000, users: 1_000_000, policies: 200, alerts: 100_000, customers: 100_000, subscriptions: 1_000_000),
    ]
}

/// The shipped Swift checkers (plugins too), called in this process: the
/// baseline that prices process isolation.
struct InProcessRunner: CheckRunner {
    func check(for requirementID: String) -> CheckBinding? {
        guard let checker = CheckerRegistry.shipped.checker(for: requirementID) else { return nil }
        return CheckBinding(name: "in-process", descriptor: checker.descriptor) { request, _ in
            CheckAnswer(.success(checker.evaluate(request)))
        }
    }

    var unavailableReasons: [String] { [] }
}

/// Runs a command to its end and returns (wall ms, peak RSS MiB of that
/// process alone, exit status). The peak is the kernel's VmHWM of the
/// child's own address space, read until it exits: wait4's ru_maxrss would
/// report this benchmark's own size, which posix_spawn's shared address
/// space leaves in the child's accounting, and would include the plugins.
/// Throws when the exit status is not in `accepted` (`requireExit`).
func timedRun(_ path: String, _ args: [String], accepted: Set<Int32> = [0]) throws -> (millis: Double, rssMiB: Double, status: Int32) {
    let t0 = nowMicros()
    let pid = spawnQuiet(path, args)
    var status: Int32 = 0
    var peakKiB = 0
    while waitpid(pid, &status, WNOHANG) == 0 {
        if let text = try? readText("/proc/\(pid)/status"), let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) {
            peakKiB = max(peakKiB, kib)
        }
        usleep(2_000)
    }
    let exit = try requireExit(status, accepted: accepted, path, args)
    return ((nowMicros() - t0) / 1000, Double(peakKiB) / 1024, exit)
}

/// The exit status (a crash is 128 + its signal) of a `waitpid` status, or
/// an error naming the command when it is not in `accepted`: a benchmark
/// never reports the time of a failure.
func requireExit(_ waitStatus: Int32, accepted: Set<Int32> = [0], _ path: String, _ args: [String]) throws -> Int32 {
    let exit = (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f)
    guard accepted.contains(exit) else {
        throw BenchError("\(path) \(args.joined(separator: " ")) exited \(exit)\(exit > 128 ? " (signal \(exit - 128))" : "")")
    }
    return exit
}

func readText(_ path: String) throws -> String {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw BenchError("cannot open \(path)") }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(fd, &buffer, buffer.count)
        if n <= 0 { break }
        bytes += buffer[..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Where the scale suite keeps its generated tenants.
let scaleRoot = "/tmp/secscore-scale"

/// The generated tenant of `size`, made with `secscore synth` when it is
/// not there yet: its directory, and the seconds synth took (0: cached).
func scaleTenant(_ size: ScaleSize, products: String) throws -> (dir: String, synthSeconds: Double) {
    let dir = "\(scaleRoot)/\(size.name)-\(size.users)"
    guard access(dir + "/partner.json", F_OK) != 0 else { return (dir, 0) }
    mkdir(scaleRoot, 0o755)
    let t0 = nowMicros()
    _ = try timedRun(products + "/secscore", ["synth", dir] + size.arguments)
    return (dir, (nowMicros() - t0) / 1e6)
}

/// The options every isolation measure evaluates with.
let isolationOptions = EvaluationOptions(asOf: CivilDate("2025-11-15")!, checkTimeout: .seconds(600))

/// The three Swift checks, as plugin processes, that isolation is measured
/// on; `configure` may change the host's configuration first.
func launchIsolationPlugins(
    _ o: Options, configure: (inout PluginHostConfiguration) -> Void = { _ in }
) async throws -> PluginSet {
    var configuration = PluginHostConfiguration()
    configuration.requestTimeout = .seconds(600)
    configure(&configuration)
    return try await PluginSet.launch(
        ["secscore-plugin-admin-mfa", "secscore-plugin-alert-response", "secscore-plugin-spending-budget"]
            .map { PluginExecutable(path: o.products + "/" + $0) },
        configuration: configuration)
}

func scaleSuite(_ o: Options) async throws -> [(String, String)] {
    let secscore = o.products + "/secscore"
    let sizes = ScaleSize.all.prefix { size in
        ScaleSize.all.firstIndex { $0.name == size.name }! <= (ScaleSize.all.firstIndex { $0.name == o.maxScale } ?? 3)
    }
    var json: [(String, String)] = []
    print("scale: secscore evaluate on generated tenants (wall ms and the host process's peak RSS, median of \(o.scaleRuns));")
    print("       isolation: the three Swift checks as plugins vs linked in, evaluation only, snapshot loaded once")
    print("  size  admins  users      policies  alerts   customers  subscriptions  synth s   evaluate ms  RSS MiB   load ms   plugins ms  in-process ms  isolation")
    let catalog = try CatalogLoader.builtIn()
    let options = isolationOptions
    var previous: (users: Int, millis: Double)?
    for size in sizes {
        let (dir, synthSeconds) = try scaleTenant(size, products: o.products)
        // End to end through the CLI, all five plugins.
        var walls: [Double] = [], rss: [Double] = []
        for _ in 0..<o.scaleRuns {
            let run = try timedRun(secscore, ["evaluate", dir, "--as-of", "2025-11-15", "--fail-on", "none", "--plugin-timeout", "600",
                                              "--format", "json", "--output", "/dev/null"], accepted: [0, 1])
            walls.append(run.millis)
            rss.append(run.rssMiB)
        }
        let wall = Stats(walls).median, peak = Stats(rss).median

        // Isolation: the same three checks through plugin processes and in-process.
        let t0 = nowMicros()
        let snapshot = try SnapshotLoader.load(directory: dir)
        let loadMillis = (nowMicros() - t0) / 1000
        let plugins = try await launchIsolationPlugins(o)
        var isolated: [Double] = [], inProcess: [Double] = []
        for _ in 0..<o.scaleRuns {
            var t = nowMicros()
            _ = try await Evaluator.evaluate(snapshot: snapshot, catalog: catalog, options: options, runner: PluginCheckRunner(plugins))
            isolated.append((nowMicros() - t) / 1000)
            t = nowMicros()
            _ = try await Evaluator.evaluate(snapshot: snapshot, catalog: catalog, options: options, runner: InProcessRunner())
            inProcess.append((nowMicros() - t) / 1000)
        }
        await plugins.shutdown()
        let iso = Stats(isolated).median, inp = Stats(inProcess).median
        var growth = ""
        if let previous {
            // Time per user relative to the previous size: 1.0 is linear.
            growth = "  (\(f((wall / previous.millis) / (Double(size.users) / Double(previous.users)), 2))x linear)"
        }
        previous = (size.users, wall)
        func col(_ s: String, _ w: Int) -> String { s.padding(toLength: w, withPad: " ", startingAt: 0) }
        print("  " + col(size.name, 6) + col(String(size.admins), 8) + col(String(size.users), 11) + col(String(size.policies), 10)
              + col(String(size.alerts), 9) + col(String(size.customers), 11) + col(String(size.subscriptions), 15)
              + col(synthSeconds > 0 ? f(synthSeconds, 1) : "cached", 10) + col(f(wall, 0), 13) + col(f(peak, 0), 10)
              + col(f(loadMillis, 0), 10) + col(f(iso, 0), 12) + col(f(inp, 0), 15) + f(iso / inp, 2) + "x" + growth)
        let k = size.name
        json += [("\(k)_users", String(size.users)), ("\(k)_evaluateMillis", f(wall, 1)), ("\(k)_peakRSSMiB", f(peak, 1)),
                 ("\(k)_loadMillis", f(loadMillis, 1)), ("\(k)_pluginsMillis", f(iso, 1)), ("\(k)_inProcessMillis", f(inp, 1)),
                 ("\(k)_isolationRatio", f(iso / inp, 3))]
    }

    // A fleet of 1,000 small partners through --fleet.
    let fleet = "\(scaleRoot)/fleet-1000"
    if access(fleet + "/partner-00999/partner.json", F_OK) != 0 {
        _ = try timedRun(secscore, ["synth", fleet, "--fleet", "1000", "--seed", "1", "--as-of", "2025-11-15"])
    }
    var fleetRuns: [Double] = [], fleetRSS: [Double] = []
    for _ in 0..<o.scaleRuns {
        let run = try timedRun(secscore, ["evaluate", "--fleet", fleet, "--as-of", "2025-11-15", "--fail-on", "none"])
        fleetRuns.append(run.millis)
        fleetRSS.append(run.rssMiB)
    }
    let fm = Stats(fleetRuns).median
    print("  fleet of 1,000 small partners (--fleet): \(f(fm, 0)) ms (\(f(fm / 1000, 2)) ms per partner), host peak RSS \(f(Stats(fleetRSS).median, 0)) MiB")
    json += [("fleet1000Millis", f(fm, 1)), ("fleet1000PeakRSSMiB", f(Stats(fleetRSS).median, 1))]
    return json
}
