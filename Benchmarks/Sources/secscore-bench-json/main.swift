// secscore-bench-json: secscore's JSON layer against Foundation's, on the
// synthetic scale tenants, side by side in one run.
//   swift run -c release secscore-bench-json [--sizes 10k,100k,1m] [--runs N] [--secscore PATH] [--json]
//
// A target of its own, without gRPC, so that it builds in minutes. Every
// measurement runs in a fresh child process (this executable with `measure`)
// so that one path's heap never inflates the other's peak; the paths
// alternate run by run and the table gives medians and ours/Foundation
// ratios (below 1: ours is faster or smaller).
import Foundation
import Glibc
import SecScoreModel
import TenantSnapshot

struct Size {
    var name: String
    var arguments: [String]
    /// Where the tenant is generated (shared with secscore-bench's scale suite where the sizes match).
    var directory: String

    static let all: [String: Size] = [
        "10k": Size(name: "10k", arguments: sizes(admins: 10, users: 10_000, policies: 20, alerts: 1_000, customers: 1_000, subscriptions: 10_000),
                    directory: "/tmp/secscore-scale/xs-10000"),
        "100k": Size(name: "100k", arguments: sizes(admins: 100, users: 100_000, policies: 75, alerts: 10_000, customers: 10_000, subscriptions: 100_000),
                     directory: "/tmp/secscore-scale/json-100000"),
        "1m": Size(name: "1m", arguments: sizes(admins: 1_000, users: 1_000_000, policies: 200, alerts: 100_000, customers: 100_000, subscriptions: 1_000_000),
                   directory: "/tmp/secscore-scale/l-1000000"),
    ]

    static func sizes(admins: Int, users: Int, policies: Int, alerts: Int, customers: Int, subscriptions: Int) -> [String] {
        ["--admins", String(admins), "--users", String(users), "--policies", String(policies), "--alerts", String(alerts),
         "--customers", String(customers), "--subscriptions", String(subscriptions), "--seed", "42", "--as-of", "2025-11-15"]
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

// MARK: Measuring, in the child

/// Peak resident memory since the last reset, in KiB (VmHWM).
func status(_ field: String) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Double(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? .nan
    }
    return .nan
}

/// Resets VmHWM to the current RSS (Linux: "5" to clear_refs).
func resetPeak() {
    let fd = open("/proc/self/clear_refs", O_WRONLY)
    guard fd >= 0 else { return }
    _ = write(fd, "5", 1)
    close(fd)
}

/// glibc's malloc_trim (not in the Glibc module): returns freed heap to the
/// kernel, so that a measurement starts from what is really in use.
@_silgen_name("malloc_trim")
func mallocTrim(_ pad: Int) -> Int32

func nowMillis() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
}

/// Time (ms) and peak memory above the start (MiB) of `body`; what it
/// returns stays alive until the peak is read.
func measure<T>(_ body: () throws -> T) rethrows -> (millis: Double, peakMiB: Double, result: T) {
    _ = mallocTrim(0)
    resetPeak()
    let base = status("VmRSS")
    let t0 = nowMillis()
    let result = try body()
    let millis = nowMillis() - t0
    let peak = withExtendedLifetime(result) { status("VmHWM") }
    return (millis, (peak - base) / 1024, result)
}

func jsonFiles(in directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
}

func bytes(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read \(path)") }
    return [UInt8](data)
}

/// One measurement; prints "millis peakMiB [note]".
func child(_ operation: String, _ target: String, iterations: Int) throws {
    switch operation {
    case "tree-ours", "tree-foundation":
        // Each file of the snapshot parsed into a generic tree; the bytes
        // are read before the clock starts. Time is the sum, memory the
        // largest file's peak.
        var total = 0.0, peak = 0.0
        for name in jsonFiles(in: target) {
            let raw = try bytes(target + "/" + name)
            if operation == "tree-ours" {
                let m = try measure { try JSONParser.parse(raw) }
                total += m.millis
                peak = max(peak, m.peakMiB)
            } else {
                let data = Data(raw)
                let m = try measure { try JSONSerialization.jsonObject(with: data) }
                total += m.millis
                peak = max(peak, m.peakMiB)
            }
        }
        print(total, peak)
    case "load-ours":
        let m = try measure { try SnapshotLoader.load(directory: target) }
        let f = m.result.facets
        let counts = [f.roleDefinitions.items.count, f.users.items.count, f.registrationDetails.items.count,
                      f.conditionalAccessPolicies.items.count, f.securityAlerts.items.count, f.customerMfa.items.count,
                      f.spendingBudgets.items.count]
        print(m.millis, m.peakMiB, counts.map(String.init).joined(separator: ","))
    case "load-foundation":
        let m = try measure { try FoundationSnapshot.load(directory: target) }
        print(m.millis, m.peakMiB, m.result.counts.map(String.init).joined(separator: ","))
    case "catalog-ours", "catalog-foundation":
        // A small file: many parses, time per parse in microseconds.
        let raw = try bytes(target)
        let data = Data(raw)
        let m = try measure { () throws -> Int in
            var editions = 0
            for _ in 0..<iterations {
                if operation == "catalog-ours" {
                    editions += try CatalogLoader.parse(raw, file: "catalog.json").editions.count
                } else {
                    editions += try JSONDecoder().decode(CatalogShape.self, from: data).editions.count
                }
            }
            return editions
        }
        print(m.millis * 1000 / Double(iterations), m.peakMiB)
    default:
        throw BenchError("unknown operation \(operation)")
    }
}

// MARK: What each does with awkward input

/// How the two layers treat input a snapshot can hold: ours through the
/// real loader (a directory holding just that file), Foundation's through
/// JSONDecoder into the same Codable shapes as the load benchmark.
func facts() -> [(String, String, String)] {
    func ours(_ file: String, _ text: String) -> String {
        let dir = NSTemporaryDirectory() + "secscore-bench-json-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: dir + "/" + file, contents: Data(text.utf8))
        do {
            _ = try SnapshotLoader.load(directory: dir)
            return "loaded"
        } catch {
            return error.description.replacingOccurrences(of: dir + "/", with: "")
        }
    }
    func foundation<T: Decodable>(_ text: String, _ type: T.Type) -> String {
        do {
            return "loaded \(try JSONDecoder().decode(T.self, from: Data(text.utf8)))"
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            return "error at \(path.isEmpty ? "(no path)" : "$" + path): \(context.debugDescription)\(underlying)"
        } catch {
            return "error: \(error)"
        }
    }
    let duplicate = #"{"value": [{"tenantId": "t", "totalAdminsCount": 1, "totalAdminsCount": 2, "mfaEnabledAdminsCount": 1}]}"#
    let serialization = (try? JSONSerialization.jsonObject(with: Data(duplicate.utf8))).map { "\($0)" } ?? "refused"
    let asText = #"{"value": [{"tenantId": "t", "totalAdminsCount": "20", "mfaEnabledAdminsCount": "20"}]}"#
    let huge = #"{"value": [{"tenantId": "t", "totalAdminsCount": 1e400, "mfaEnabledAdminsCount": 1}]}"#
    let wrongType = #"{"value": [{"id": "a", "accountEnabled": true}, {"id": "b", "accountEnabled": "yes"}]}"#
    let broken = "{\"value\": [\n  {\"id\": \"a\",}\n]}"
    return [
        ("duplicate member", ours("customerMfa.json", duplicate),
         foundation(duplicate, GraphCollection<CustomerMfaShape>.self) + "; JSONSerialization: "
            + serialization.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")),
        ("number as text \"20\"", ours("customerMfa.json", asText), foundation(asText, GraphCollection<CustomerMfaShape>.self)),
        ("1e400", ours("customerMfa.json", huge), foundation(huge, GraphCollection<CustomerMfaShape>.self)),
        ("wrong type in item 2", ours("users.json", wrongType), foundation(wrongType, GraphCollection<UserShape>.self)),
        ("syntax error", ours("users.json", broken), foundation(broken, GraphCollection<UserShape>.self)),
    ]
}

// MARK: Running, in the parent

func run(_ arguments: [String]) throws -> [String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw BenchError("\(arguments.joined(separator: " ")) exited \(process.terminationStatus)") }
    return String(decoding: output, as: UTF8.self).split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? .nan : s[s.count / 2]
}

func f(_ v: Double, _ digits: Int = 1) -> String {
    guard v.isFinite else { return "n/a" }
    return String(format: "%.\(digits)f", v)
}

func pad(_ s: String, _ width: Int) -> String { s.padding(toLength: max(width, s.count), withPad: " ", startingAt: 0) }

/// Both paths of one comparison, alternating; (ours, Foundation) medians of time and peak.
func compare(_ ours: String, _ theirs: String, _ target: String, runs: Int, iterations: Int = 1) throws
    -> (ours: (Double, Double), theirs: (Double, Double), note: String)
{
    var o: [(Double, Double)] = [], t: [(Double, Double)] = []
    var notes: (String, String) = ("", "")
    for _ in 0..<runs {
        let a = try run(["measure", ours, target, String(iterations)])
        let b = try run(["measure", theirs, target, String(iterations)])
        o.append((Double(a[0]) ?? .nan, Double(a[1]) ?? .nan))
        t.append((Double(b[0]) ?? .nan, Double(b[1]) ?? .nan))
        notes = (a.count > 2 ? a[2] : "", b.count > 2 ? b[2] : "")
    }
    if notes.0 != notes.1 { throw BenchError("\(ours) and \(theirs) read different items: \(notes.0) vs \(notes.1)") }
    return ((median(o.map(\.0)), median(o.map(\.1))), (median(t.map(\.0)), median(t.map(\.1))), notes.0)
}

func repositoryRoot() -> String {
    // <root>/Benchmarks/.build/<triple>/release/secscore-bench-json
    var url = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    while url.path != "/" && url.lastPathComponent != "Benchmarks" { url.deleteLastPathComponent() }
    return url.deletingLastPathComponent().path
}

func main() throws {
    var args = Array(CommandLine.arguments.dropFirst())
    if args.first == "measure" {
        try child(args[1], args[2], iterations: Int(args[3]) ?? 1)
        return
    }
    var sizes = ["10k", "100k", "1m"]
    var runs = 5
    var json = false
    var secscore = ""
    while !args.isEmpty {
        let a = args.removeFirst()
        switch a {
        case "--sizes": sizes = (args.isEmpty ? "" : args.removeFirst()).split(separator: ",").map(String.init)
        case "--runs": runs = Int(args.isEmpty ? "" : args.removeFirst()) ?? runs
        case "--secscore": secscore = args.isEmpty ? "" : args.removeFirst()
        case "--json": json = true
        default:
            print("usage: secscore-bench-json [--sizes 10k,100k,1m] [--runs N] [--secscore PATH] [--json]")
            exit(a == "-h" || a == "--help" ? 0 : 2)
        }
    }
    let root = repositoryRoot()
    if secscore.isEmpty {
        secscore = [root + "/.build/release/secscore", root + "/.build/debug/secscore"].first { access($0, X_OK) == 0 } ?? ""
    }
    mkdir("/tmp/secscore-scale", 0o755)
    print("json: secscore's JSON layer vs Foundation (\(runs) runs each, alternating, each in a fresh process; medians)")
    print("  tree: every file parsed into a generic tree, ours JSONParser.parse vs JSONSerialization.jsonObject (sum of files; peak of the largest)")
    print("  load: the whole snapshot, ours SnapshotLoader.load (streamed, validated, into protobuf) vs JSONDecoder into Codable structs of the same shape")
    print("  ratio = ours / Foundation (below 1: ours is faster or smaller)")
    print("  " + pad("tenant", 8) + pad("MB", 7)
          + pad("tree ms ours/Fdn", 21) + pad("ratio", 7) + pad("tree MiB ours/Fdn", 20) + pad("ratio", 7)
          + pad("load ms ours/Fdn", 21) + pad("ratio", 7) + pad("load MiB ours/Fdn", 20) + "ratio")
    var record: [(String, String)] = []
    for name in sizes {
        guard let size = Size.all[name] else { throw BenchError("unknown size \(name); sizes: 10k, 100k, 1m") }
        if access(size.directory + "/partner.json", F_OK) != 0 {
            guard !secscore.isEmpty else { throw BenchError("no secscore to generate \(size.directory) with; pass --secscore") }
            let synth = Process()
            synth.executableURL = URL(fileURLWithPath: secscore)
            synth.arguments = ["synth", size.directory] + size.arguments
            synth.standardOutput = FileHandle.nullDevice
            try synth.run()
            synth.waitUntilExit()
            guard synth.terminationStatus == 0 else { throw BenchError("secscore synth failed for \(name)") }
        }
        let megabytes = jsonFiles(in: size.directory).reduce(0.0) { total, file in
            var st = stat()
            return total + (stat(size.directory + "/" + file, &st) == 0 ? Double(st.st_size) / 1e6 : 0)
        }
        let tree = try compare("tree-ours", "tree-foundation", size.directory, runs: runs)
        let load = try compare("load-ours", "load-foundation", size.directory, runs: runs)
        func pair(_ a: Double, _ b: Double, _ d: Int) -> String { f(a, d) + " / " + f(b, d) }
        print("  " + pad(name, 8) + pad(f(megabytes, 0), 7)
              + pad(pair(tree.ours.0, tree.theirs.0, 0), 21) + pad(f(tree.ours.0 / tree.theirs.0, 2), 7)
              + pad(pair(tree.ours.1, tree.theirs.1, 0), 20) + pad(f(tree.ours.1 / tree.theirs.1, 2), 7)
              + pad(pair(load.ours.0, load.theirs.0, 0), 21) + pad(f(load.ours.0 / load.theirs.0, 2), 7)
              + pad(pair(load.ours.1, load.theirs.1, 0), 20) + f(load.ours.1 / load.theirs.1, 2))
        record += [
            ("\(name)_megabytes", f(megabytes, 1)),
            ("\(name)_treeOursMillis", f(tree.ours.0, 1)), ("\(name)_treeFoundationMillis", f(tree.theirs.0, 1)),
            ("\(name)_treeOursPeakMiB", f(tree.ours.1, 1)), ("\(name)_treeFoundationPeakMiB", f(tree.theirs.1, 1)),
            ("\(name)_loadOursMillis", f(load.ours.0, 1)), ("\(name)_loadFoundationMillis", f(load.theirs.0, 1)),
            ("\(name)_loadOursPeakMiB", f(load.ours.1, 1)), ("\(name)_loadFoundationPeakMiB", f(load.theirs.1, 1)),
        ]
    }
    let catalogPath = root + "/Sources/SecScoreModel/Resources/catalog.json"
    let catalog = try compare("catalog-ours", "catalog-foundation", catalogPath, runs: runs, iterations: 200)
    let catalogKB = Double((try? bytes(catalogPath).count) ?? 0) / 1000
    print("  catalog (\(f(catalogKB, 0)) kB): ours CatalogLoader.parse (strict, validated) \(f(catalog.ours.0, 0)) µs,"
          + " JSONDecoder into Codable structs \(f(catalog.theirs.0, 0)) µs per parse; ratio \(f(catalog.ours.0 / catalog.theirs.0, 2))")
    record += [("catalogOursMicros", f(catalog.ours.0, 1)), ("catalogFoundationMicros", f(catalog.theirs.0, 1))]
    print("  what each does with input a snapshot can hold (ours: the snapshot loader; Foundation: JSONDecoder into the same shapes):")
    for (input, o, t) in facts() {
        print("    \(input): ours → \(o)")
        print("    \(String(repeating: " ", count: input.count))  Foundation → \(t)")
    }
    if json {
        print("{\"suite\":\"json\"," + record.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }
}

do {
    try main()
} catch {
    FileHandle.standardError.write(Data("secscore-bench-json: \(error)\n".utf8))
    exit(1)
}
