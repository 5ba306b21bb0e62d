// secscore-bench: numbers for BENCHMARKS.md, side by side in one run.
//   make bench (from the repository root), or, once built: secscore-bench rpc|throughput|spawn|codec|scale|all [--json] [--products DIR] [--iterations N]
import CBenchSupport
import Glibc
import PluginHost
import SecScoreWire
import SwiftProtobuf
import TenantSnapshot

struct Options {
    var suites: [String] = []
    var json = false
    var products = ""
    var iterations = 5000
    /// The largest size the scale suite runs (xs, s, m, l).
    var maxScale = "l"
    /// Runs per size in the scale suite.
    var scaleRuns = 3
}

func parseOptions() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst()
    while let a = args.popFirst() {
        switch a {
        case "--json": o.json = true
        case "--products": o.products = args.popFirst() ?? ""
        case "--iterations": o.iterations = Int(args.popFirst() ?? "") ?? o.iterations
        case "--max-scale": o.maxScale = args.popFirst() ?? o.maxScale
        case "--scale-runs": o.scaleRuns = Int(args.popFirst() ?? "") ?? o.scaleRuns
        case "-h", "--help":
            print("usage: secscore-bench rpc|throughput|spawn|codec|scale|all|roundtrip|isolation|load [--json] [--products DIR] [--iterations N] [--max-scale xs|s|m|l] [--scale-runs N]")
            exit(0)
        default: o.suites.append(a)
        }
    }
    if o.suites.isEmpty || o.suites == ["all"] { o.suites = ["rpc", "throughput", "spawn", "codec", "scale"] }
    if o.products.isEmpty {
        // The main package's release products: Benchmarks/.. /.build/release.
        o.products = repositoryRoot() + "/.build/release"
    }
    return o
}

func repositoryRoot() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, 4095)
    let exe = String(decoding: buffer[..<max(n, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    // <root>/Benchmarks/.build/<triple>/release/secscore-bench
    var parts = exe.split(separator: "/")
    while let last = parts.last, last != "Benchmarks" { parts.removeLast() }
    guard !parts.isEmpty else {
        // Copied elsewhere: it cannot find the products on its own.
        let message = "secscore-bench: \(exe) is not inside the repository's Benchmarks/.build; pass --products DIR (the main package's .build/release)\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        exit(2)
    }
    parts.removeLast()
    return "/" + parts.joined(separator: "/")
}

func benchDirectory() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, 4095)
    let exe = String(decoding: buffer[..<max(n, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return String(exe[..<exe.lastIndex(of: "/")!])
}

func nowMicros() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1e6 + Double(ts.tv_nsec) / 1e3
}

struct Stats {
    var median: Double
    var p99: Double
    init(_ samples: [Double]) {
        let s = samples.sorted()
        median = s.isEmpty ? .nan : s[s.count / 2]
        p99 = s.isEmpty ? .nan : s[min(s.count - 1, Int(Double(s.count) * 0.99))]
    }
}

func f(_ v: Double, _ digits: Int = 1) -> String {
    guard v.isFinite else { return "n/a" }
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (v * p).rounded() / p
    return digits == 0 ? String(Int(r)) : String(r)
}

// MARK: - Host round trips

func request(payloadBytes: Int, requirement: String) -> Secscore_Plugin_V1_EvaluateRequest {
    var r = Secscore_Plugin_V1_EvaluateRequest()
    r.requirementID = requirement
    r.context.asOf = "2025-11-15"
    r.context.partnerType = .directBill
    var contact = Secscore_Tenant_V1_SecurityContact()
    contact.email = "soc@contoso.com"
    let overhead = (try? r.serializedBytes() as [UInt8])?.count ?? 40
    contact.name = String(repeating: "x", count: max(1, payloadBytes - overhead - 30))
    r.facets.securityContact = contact
    // Present and empty: the Swift example's check requires role
    // assignments. Without them its SDK answers "could not check" before the
    // check runs, and the benchmark would time that path instead.
    r.facets.roleAssignments = Secscore_Tenant_V1_RoleAssignments()
    return r
}

func hostSamples(_ connection: PluginConnection, payload: Int, warmup: Int, iterations: Int) async throws -> [Double] {
    let r = request(payloadBytes: payload, requirement: connection.info.requirementIDs[0])
    for _ in 0..<warmup { _ = try await connection.evaluate(r) }
    var samples: [Double] = []
    samples.reserveCapacity(iterations)
    for _ in 0..<iterations {
        let t0 = nowMicros()
        _ = try await connection.evaluate(r)
        samples.append(nowMicros() - t0)
    }
    return samples
}

/// The same exchange without the async host: frames written and read on
/// this thread over plain pipes. Separates the plugin's and the wire's cost
/// from the host's.
func syncRoundTrips(_ executable: String, payload: Int, warmup: Int, iterations: Int) throws -> [Double] {
    var toChild: [Int32] = [0, 0]
    var fromChild: [Int32] = [0, 0]
    pipe(&toChild)
    pipe(&fromChild)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
    posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
    posix_spawn_file_actions_addclose(&actions, toChild[1])
    posix_spawn_file_actions_addclose(&actions, fromChild[0])
    var pid: pid_t = 0
    let argv = [strdup(executable), nil]
    posix_spawn(&pid, executable, &actions, nil, argv, environ)
    free(argv[0])
    posix_spawn_file_actions_destroy(&actions)
    close(toChild[0])
    close(fromChild[1])
    var decoder = FrameDecoder()
    func send(_ type: FrameType, _ id: UInt32, _ payload: [UInt8]) {
        var out: [UInt8] = []
        FrameEncoder.append(type: type, requestID: id, payload: payload, maxFrameBytes: 4 << 20, to: &out)
        out.withUnsafeBytes { _ = write(toChild[1], $0.baseAddress, $0.count) }
    }
    func receive() throws -> WireMessage? {
        while true {
            if let m = try decoder.next() { return m }
            let n = decoder.readInto { read(fromChild[0], $0.baseAddress, $0.count) }
            if n <= 0 { return nil }
        }
    }
    var hello = Secscore_Plugin_V1_Hello()
    hello.protocolMajors = [1]
    send(.hello, 0, try hello.serializedBytes())
    guard let welcome = try receive(), let info = try? Secscore_Plugin_V1_Welcome(serializedBytes: welcome.payload) else { return [] }
    let bytes: [UInt8] = try request(payloadBytes: payload, requirement: info.manifest.checks[0].requirementID).serializedBytes()
    var samples: [Double] = []
    for i in 0..<(warmup + iterations) {
        let t0 = nowMicros()
        send(.request, UInt32(i + 1), bytes)
        while let m = try receive(), m.type != .response {}
        if i >= warmup { samples.append(nowMicros() - t0) }
    }
    close(toChild[1])
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    close(fromChild[0])
    return samples
}

func rawSamples(payload: Int, warmup: Int, iterations: Int) -> [Double] {
    var samples = [Double](repeating: 0, count: iterations)
    _ = bench_pipe_pingpong(payload, Int32(warmup), Int32(iterations), &samples)
    return samples
}

// MARK: - Suites

func rpcSuite(_ o: Options) async throws -> [(String, String)] {
    let c = o.products + "/example-plugin-c"
    let swift = o.products + "/example-plugin-swift"
    var json: [(String, String)] = []
    print("rpc: small-request round trips, median and p99 over \(o.iterations) calls (microseconds)")
    print("  mode      payload  raw pipe C<->C   Swift host -> C plugin   Swift host -> Swift plugin   gRPC unary (UDS)          C/raw  Swift/raw  gRPC/C")
    // The four paths run interleaved in rounds of 250 calls, so that noise
    // from other tenants of the machine hits all of them alike.
    let rounds = max(1, o.iterations / 250)
    for pinned in [true, false] {
        _ = bench_pin(pinned ? 0 : -1)
        for payload in [64, 4096] {
            let cConnection = try await PluginConnection.launch(PluginExecutable(path: c))
            let swiftConnection = try await PluginConnection.launch(PluginExecutable(path: swift))
            let grpc = try await GRPCPeer.start(server: benchDirectory() + "/bench-grpc-server")
            var raw: [Double] = [], cp: [Double] = [], sp: [Double] = [], cs: [Double] = [], gp: [Double] = []
            for _ in 0..<rounds {
                raw += rawSamples(payload: payload, warmup: 50, iterations: 250)
                cp += try await hostSamples(cConnection, payload: payload, warmup: 50, iterations: 250)
                sp += try await hostSamples(swiftConnection, payload: payload, warmup: 50, iterations: 250)
                cs += try syncRoundTrips(c, payload: payload, warmup: 50, iterations: 250)
                gp += try await grpc.samples(payload: payload, warmup: 50, iterations: 250)
            }
            await cConnection.shutdown()
            await swiftConnection.shutdown()
            await grpc.stop()
            let (r, h, w, y, g) = (Stats(raw), Stats(cp), Stats(sp), Stats(cs), Stats(gp))
            let mode = pinned ? "pinned" : "unpinned"
            print("  \(mode.padding(toLength: 8, withPad: " ", startingAt: 0))  \(String(payload).padding(toLength: 7, withPad: " ", startingAt: 0))  \(f(r.median)) / \(f(r.p99))".padding(toLength: 45, withPad: " ", startingAt: 0)
                  + "\(f(h.median)) / \(f(h.p99))".padding(toLength: 25, withPad: " ", startingAt: 0)
                  + "\(f(w.median)) / \(f(w.p99))".padding(toLength: 29, withPad: " ", startingAt: 0)
                  + "\(f(g.median)) / \(f(g.p99))".padding(toLength: 26, withPad: " ", startingAt: 0)
                  + "\(f(h.median / r.median, 2))   \(f(w.median / r.median, 2))   \(f(g.median / h.median, 1))   sync C frames \(f(y.median)) (\(f(y.median / r.median, 2))x)")
            let key = "\(mode)_\(payload)"
            json += [
                ("\(key)_rawPipeMicros", f(r.median, 2)), ("\(key)_cPluginMicros", f(h.median, 2)),
                ("\(key)_swiftPluginMicros", f(w.median, 2)), ("\(key)_syncCFramesMicros", f(y.median, 2)),
                ("\(key)_grpcMicros", f(g.median, 2)),
                ("\(key)_cPluginOverRaw", f(h.median / r.median, 3)), ("\(key)_swiftPluginOverRaw", f(w.median / r.median, 3)),
                ("\(key)_grpcOverCPlugin", f(g.median / h.median, 3)),
                ("\(key)_rawPipeP99Micros", f(r.p99, 2)), ("\(key)_cPluginP99Micros", f(h.p99, 2)), ("\(key)_swiftPluginP99Micros", f(w.p99, 2)),
                ("\(key)_grpcP99Micros", f(g.p99, 2)),
            ]
        }
    }
    _ = bench_pin(-1)
    // The headline keys: pinned, 64-byte payload.
    let lookup = Dictionary(json, uniquingKeysWith: { a, _ in a })
    json = [
        ("rawPipeMicros", lookup["pinned_64_rawPipeMicros"]!), ("cPluginMicros", lookup["pinned_64_cPluginMicros"]!),
        ("swiftPluginMicros", lookup["pinned_64_swiftPluginMicros"]!), ("grpcMicros", lookup["pinned_64_grpcMicros"]!),
        ("cPluginOverRaw", lookup["pinned_64_cPluginOverRaw"]!), ("swiftPluginOverRaw", lookup["pinned_64_swiftPluginOverRaw"]!),
        ("grpcOverCPlugin", lookup["pinned_64_grpcOverCPlugin"]!),
    ] + json
    return json
}

func throughputSuite(_ o: Options) async throws -> [(String, String)] {
    let mib = 1 << 20
    let iterations = max(20, o.iterations / 25)
    // Interleaved in rounds of 20 calls, each path warmed by 2 untimed calls
    // per round, as the rpc suite interleaves: run one after the other, the
    // raw pipe's median moved 30-60% between back-to-back runs on this VM.
    let connection = try await PluginConnection.launch(PluginExecutable(path: benchDirectory() + "/bench-plugin-echo"))
    var rawSamplesMicros: [Double] = [], echoSamples: [Double] = []
    for _ in 0..<max(1, iterations / 20) {
        rawSamplesMicros += rawSamples(payload: mib, warmup: 2, iterations: 20)
        echoSamples += try await hostSamples(connection, payload: mib, warmup: 2, iterations: 20)
    }
    await connection.shutdown()
    let raw = Stats(rawSamplesMicros), echo = Stats(echoSamples)
    let rawMBs = 2.0 * Double(mib) / raw.median  // bytes per microsecond = MB/s
    let hostMBs = 2.0 * Double(mib) / echo.median
    print("throughput: 1 MiB there and back, median of \(echoSamples.count), interleaved in rounds of 20")
    print("  raw pipe C<->C:          \(f(raw.median)) us  \(f(rawMBs, 0)) MB/s")
    print("  Swift host -> C plugin:  \(f(echo.median)) us  \(f(hostMBs, 0)) MB/s  (\(f(100 * hostMBs / rawMBs, 0))% of raw)")
    return [("rawPipeMBps", f(rawMBs, 1)), ("cPluginMBps", f(hostMBs, 1)), ("cPluginShareOfRaw", f(hostMBs / rawMBs, 3))]
}

func spawnSuite(_ o: Options) async throws -> [(String, String)] {
    var json: [(String, String)] = []
    print("spawn: spawn + handshake (and shutdown), median of 50")
    for (name, key) in [("example-plugin-c", "c"), ("example-plugin-swift", "swift")] {
        var launches: [Double] = []
        var shutdowns: [Double] = []
        for _ in 0..<50 {
            let t0 = nowMicros()
            let c = try await PluginConnection.launch(PluginExecutable(path: o.products + "/" + name))
            let t1 = nowMicros()
            await c.shutdown()
            launches.append(t1 - t0)
            shutdowns.append(nowMicros() - t1)
        }
        let l = Stats(launches)
        let s = Stats(shutdowns)
        print("  \(name.padding(toLength: 22, withPad: " ", startingAt: 0)) spawn+handshake \(f(l.median / 1000, 2)) ms (p99 \(f(l.p99 / 1000, 2)))   shutdown \(f(s.median / 1000, 2)) ms")
        json += [("\(key)SpawnHandshakeMillis", f(l.median / 1000, 3)), ("\(key)ShutdownMillis", f(s.median / 1000, 3))]
    }
    // A cold `secscore evaluate` of the bundled example, all shipped plugins.
    var runs: [Double] = []
    let example = repositoryRoot() + "/Examples/snapshots/fabrikam-distributor"
    let secscore = o.products + "/secscore"
    let args = ["evaluate", example, "--as-of", "2025-11-15", "--fail-on", "none", "--format", "json", "--output", "/dev/null"]
    for _ in 0..<10 {
        // A blocking wait, not timedRun, which polls every 2 ms.
        let t0 = nowMicros()
        let pid = spawnQuiet(secscore, args)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        runs.append(nowMicros() - t0)
        _ = try requireExit(status, secscore, args)
    }
    let e = Stats(runs)
    print("  secscore evaluate (bundled example, 5 plugins, cold): \(f(e.median / 1000, 1)) ms median of 10")
    json.append(("coldEvaluateMillis", f(e.median / 1000, 2)))
    return json
}

/// Profiling aid: pinned 64-byte round trips to one plugin
/// (SECSCORE_BENCH_PLUGIN, default example-plugin-swift), for `perf record`
/// and `perf stat`. SECSCORE_BENCH_INTERLEAVE=raw,c,sync,grpc runs those
/// paths between rounds of 250 calls, as the rpc suite does;
/// SECSCORE_BENCH_GAP_MS pauses between the rounds; SECSCORE_BENCH_GRPC=1
/// keeps the gRPC server running beside (needed for grpc).
func roundTripAid(_ o: Options) async throws -> [(String, String)] {
    func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
    let plugin = env("SECSCORE_BENCH_PLUGIN") ?? o.products + "/example-plugin-swift"
    let gap = UInt32(env("SECSCORE_BENCH_GAP_MS").flatMap { Int($0) } ?? 0)
    let interleave = Set((env("SECSCORE_BENCH_INTERLEAVE") ?? "").split(separator: ",").map(String.init))
    let inRounds = gap > 0 || !interleave.isEmpty
    let payload = env("SECSCORE_BENCH_PAYLOAD").flatMap { Int($0) } ?? 64
    _ = bench_pin(env("SECSCORE_BENCH_UNPINNED") == nil ? 0 : -1)
    let grpc = env("SECSCORE_BENCH_GRPC") == nil ? nil : try await GRPCPeer.start(server: benchDirectory() + "/bench-grpc-server")
    let connection = try await PluginConnection.launch(PluginExecutable(path: plugin))
    let other = interleave.contains("c") ? try await PluginConnection.launch(PluginExecutable(path: o.products + "/example-plugin-c")) : nil
    var samples = try await hostSamples(connection, payload: payload, warmup: 500, iterations: inRounds ? 0 : o.iterations)
    for _ in 0..<(inRounds ? max(1, o.iterations / 250) : 0) {
        usleep(gap * 1000)
        if interleave.contains("raw") { _ = rawSamples(payload: 64, warmup: 0, iterations: 250) }
        if let other { _ = try await hostSamples(other, payload: 64, warmup: 0, iterations: 250) }
        if interleave.contains("sync") { _ = try syncRoundTrips(o.products + "/example-plugin-c", payload: 64, warmup: 50, iterations: 250) }
        if interleave.contains("grpc"), let grpc { _ = try await grpc.samples(payload: 64, warmup: 0, iterations: 250) }
        samples += try await hostSamples(connection, payload: payload, warmup: 0, iterations: 250)
    }
    await connection.shutdown()
    await other?.shutdown()
    await grpc?.stop()
    _ = bench_pin(-1)
    let stats = Stats(samples)
    print("roundtrip \(plugin): median \(f(stats.median)) us, p99 \(f(stats.p99)) us over \(samples.count) calls")
    return [("roundtripMicros", f(stats.median, 2))]
}

func spawnQuiet(_ path: String, _ args: [String]) -> pid_t {
    var pid: pid_t = 0
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    let argv = ([path] + args).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    posix_spawn(&pid, path, &actions, nil, argv, environ)
    posix_spawn_file_actions_destroy(&actions)
    return pid
}

// MARK: - Main

let options = parseOptions()
signal(SIGPIPE, SIG_IGN)
// What the secscore CLI's main does, so the in-process host paths measure
// what users run.
MessageMemory.keepLargeBlocks()
print("secscore-bench on \(bench_cpus()) CPUs; products from \(options.products)")
try requireProducts(options)
var measured: [String: Double] = [:]
for suite in options.suites {
    let result: [(String, String)]
    do {
        switch suite {
        case "rpc": result = try await rpcSuite(options)
        case "throughput": result = try await throughputSuite(options)
        case "spawn": result = try await spawnSuite(options)
        case "scale": result = try await scaleSuite(options)
        case "codec": result = try codecSuite(options)
        case "roundtrip": result = try await roundTripAid(options)
        case "isolation": result = try await isolationAid(options)
        case "load":
            // Profiling aid: load one snapshot (SECSCORE_BENCH_SNAPSHOT) three times.
            let dir = String(cString: getenv("SECSCORE_BENCH_SNAPSHOT") ?? strdup("/tmp/secscore-scale/m-200000"))
            var times: [Double] = []
            for _ in 0..<3 {
                let t0 = nowMicros()
                _ = try SnapshotLoader.load(directory: dir)
                times.append((nowMicros() - t0) / 1000)
            }
            print("load \(dir): \(times.map { f($0, 0) }.joined(separator: ", ")) ms")
            result = [("loadMillis", f(Stats(times).median, 1))]
        default:
            print("unknown suite \(suite); suites: rpc, throughput, spawn, scale, codec, all; profiling aids: roundtrip, isolation, load")
            exit(2)
        }
    } catch {
        print("\(suite): \(error)")
        exit(1)
    }
    if options.json {
        print("{\"suite\":\"\(suite)\"," + result.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }
    for (key, value) in result { measured[suite + "." + key] = Double(value) }
    print("")
}
printTargets(measured)
