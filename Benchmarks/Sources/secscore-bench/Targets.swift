import Glibc

/// Fails early, naming what to build, when a program the suites start is
/// missing (`swift run secscore-bench` builds only itself; `make bench`
/// builds everything).
func requireProducts(_ o: Options) throws {
    let needed = [
        (o.suites.contains("rpc"), benchDirectory() + "/bench-grpc-server"),
        (o.suites.contains("throughput"), benchDirectory() + "/bench-plugin-echo"),
    ] + ["example-plugin-c", "example-plugin-swift", "secscore", "secscore-plugin-admin-mfa",
         "secscore-plugin-alert-response", "secscore-plugin-spending-budget"].map { (true, o.products + "/" + $0) }
    let missing = needed.filter { $0.0 && access($0.1, X_OK) != 0 }.map(\.1)
    guard missing.isEmpty else {
        throw BenchError("cannot start \(missing.joined(separator: ", ")): not built. Run `make bench` from the repository root, which builds the release products and every benchmark program first.")
    }
}

/// One line of the targets table: how a figure from this run compares
/// with the target the project set for it (issue 14, BENCHMARKS.md).
struct Target: Sendable {
    var measure: String
    var target: String
    /// The figure as printed, or nil when its suite did not run.
    var figure: @Sendable ([String: Double]) -> String?
    var met: @Sendable ([String: Double]) -> Bool?
}

let targets: [Target] = [
    Target(measure: "Swift plugin round trip, pinned, 64 B", target: "≤ 2x raw pipe",
           figure: { m in m["rpc.swiftPluginOverRaw"].map { "\(f($0, 2))x (\(f(m["rpc.swiftPluginMicros"] ?? .nan)) µs vs \(f(m["rpc.rawPipeMicros"] ?? .nan)) µs)" } },
           met: { $0["rpc.swiftPluginOverRaw"].map { $0 <= 2 } }),
    Target(measure: "C plugin round trip, pinned, 64 B", target: "≤ 1.5x raw pipe",
           figure: { m in m["rpc.cPluginOverRaw"].map { "\(f($0, 2))x (\(f(m["rpc.cPluginMicros"] ?? .nan)) µs)" } },
           met: { $0["rpc.cPluginOverRaw"].map { $0 <= 1.5 } }),
    Target(measure: "gRPC unary vs the C plugin path", target: "≥ 50x slower",
           figure: { m in m["rpc.grpcOverCPlugin"].map { "\(f($0, 1))x" } },
           met: { $0["rpc.grpcOverCPlugin"].map { $0 >= 50 } }),
    Target(measure: "1 MiB there and back through a plugin", target: "≥ 60% of raw pipe",
           figure: { m in m["throughput.cPluginShareOfRaw"].map { "\(f($0 * 100, 0))% (\(f(m["throughput.cPluginMBps"] ?? .nan, 0)) MB/s)" } },
           met: { $0["throughput.cPluginShareOfRaw"].map { $0 >= 0.6 } }),
    Target(measure: "Swift plugin spawn + handshake", target: "< 3 ms",
           figure: { m in m["spawn.swiftSpawnHandshakeMillis"].map { "\(f($0, 2)) ms" } },
           met: { $0["spawn.swiftSpawnHandshakeMillis"].map { $0 < 3 } }),
    Target(measure: "C plugin spawn + handshake", target: "< 3 ms",
           figure: { m in m["spawn.cSpawnHandshakeMillis"].map { "\(f($0, 2)) ms" } },
           met: { $0["spawn.cSpawnHandshakeMillis"].map { $0 < 3 } }),
    Target(measure: "cold evaluate of the bundled example", target: "< 100 ms",
           figure: { m in m["spawn.coldEvaluateMillis"].map { "\(f($0, 1)) ms" } },
           met: { $0["spawn.coldEvaluateMillis"].map { $0 < 100 } }),
    Target(measure: "1,000,000-user tenant, end to end", target: "< 5 s and < 1 GiB",
           figure: { m in m["scale.l_evaluateMillis"].map { "\(f($0 / 1000, 2)) s, \(f(m["scale.l_peakRSSMiB"] ?? .nan, 0)) MiB" } },
           met: { m in m["scale.l_evaluateMillis"].map { $0 < 5000 && (m["scale.l_peakRSSMiB"] ?? .infinity) < 1024 } }),
    Target(measure: "isolation at that size (plugins vs linked in)", target: "≤ 1.3x",
           figure: { m in m["scale.l_isolationRatio"].map { "\(f($0, 2))x" } },
           met: { $0["scale.l_isolationRatio"].map { $0 <= 1.3 } }),
]

/// Prints every target whose suite ran, with this run's figure beside it.
func printTargets(_ measured: [String: Double]) {
    let rows = targets.compactMap { t in t.figure(measured).map { (t, $0, t.met(measured) ?? false) } }
    guard !rows.isEmpty else { return }
    print("targets, this run:")
    for (t, figure, met) in rows {
        print("  \(met ? "met " : "MISS")  \(t.measure.padding(toLength: 48, withPad: " ", startingAt: 0)) \(figure.padding(toLength: 34, withPad: " ", startingAt: 0)) target \(t.target)")
    }
}
