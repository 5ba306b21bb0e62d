// secscore-collect-bench: collects a generated tenant (10,000 users, 500
// customers by default) from the loopback fake under its throttling
// limits, through the real CLI, and prints the time against the least time
// those limits allow, and the collector's peak memory (BENCHMARKS.md).
import FakeMicrosoft
import Foundation
import Glibc
import SecScoreCollect
import SecScoreSynth

@main
struct CollectBench {
    static func main() async throws {
        var args = CommandLine.arguments.dropFirst()
        func option(_ name: String, _ fallback: Int) -> Int {
            guard let i = args.firstIndex(of: name), args.index(after: i) < args.endIndex, let v = Int(args[args.index(after: i)]) else { return fallback }
            return v
        }
        let users = option("--users", 10_000)
        let customers = option("--customers", 500)
        let binary = args.first { !$0.hasPrefix("--") && $0.hasSuffix("secscore") } ?? (CommandLine.arguments[0] as NSString).deletingLastPathComponent + "/secscore"
        args = []
        let work = NSTemporaryDirectory() + "secscore-collect-bench-" + UUID().uuidString.prefix(8)
        let source = work + "/tenant"
        try SnapshotSynthesizer(size: SynthSize(admins: 50, users: users, policies: 20, alerts: 2_000, customers: customers, subscriptions: customers * 2),
                                seed: 7).write(to: source, name: "Bench Partner")
        var options = FakeMicrosoft.Options()
        options.pageSize = 999
        let fake = FakeMicrosoft(tenant: try FakeTenant(snapshot: source), options: options)
        let base = try await fake.start()
        let output = work + "/snapshot"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["collect", output, "--tenant", options.tenantID, "--client-id", options.clientID,
                             "--graph-endpoint", base, "--partner-center-endpoint", base, "--authority", base, "--quiet"]
        var env = ProcessInfo.processInfo.environment
        env["AZURE_CLIENT_SECRET"] = options.clientSecret!
        process.environment = env
        let clock = ContinuousClock()
        let start = clock.now
        try process.run()
        // The child's own high-water mark (VmHWM resets at exec). Not
        // getrusage(RUSAGE_CHILDREN): its ru_maxrss counts the pages the
        // child shared with this process (which holds the whole fake
        // tenant) between fork and exec.
        var peakKiB = 0
        while process.isRunning {
            if let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kib = Int(line.split(separator: " ").dropFirst().first ?? "")
            {
                peakKiB = max(peakKiB, kib)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.waitUntilExit()
        let elapsed = clock.now - start
        await fake.stop()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let stats = fake.stats
        // The least time the limits allow: per class, ceil(units / limit) - 1 full windows.
        var units: [String: Int] = [:]
        for (call, n) in stats.requests { units[Self.limitClass(call), default: 0] += n * Self.cost(call) }
        let limits: [String: (Int, Double)] = ["directory": (3_500, 10), "reports": (5, 10), "conditionalAccess": (1, 1), "partnerCenter": (500, 60)]
        var bound = 0.0
        var bindingClass = "-"
        for (cls, n) in units {
            guard let (limit, window) = limits[cls] else { continue }
            let t = Double((n + limit - 1) / limit - 1) * window
            if t > bound { bound = t; bindingClass = cls }
        }
        print("exit status: \(process.terminationStatus)")
        print("tenant: \(users) users, \(customers) customers; requests: \(stats.requests.values.reduce(0, +)) \(stats.requests.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        print("units per class: \(units.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        print("limit violations (429 from the fake's limits): \(stats.limitViolations)")
        print(String(format: "time: %.1f s; least the limits allow: %.1f s (%@); ratio %.3f", seconds, bound, bindingClass, bound > 0 ? seconds / bound : 0))
        print("collector peak RSS (VmHWM, sampled every 50 ms): \(peakKiB / 1024) MiB")
        try? FileManager.default.removeItem(atPath: work)
    }

    static func limitClass(_ call: String) -> String {
        switch call {
        case "customers", "subscriptions", "usagebudget": "partnerCenter"
        case "userRegistrationDetails": "reports"
        case "conditionalAccessPolicies", "authenticationStrengthPolicies": "conditionalAccess"
        case "securityAlerts", "securityScore", "securityScoreRequirements", "securityScoreHistory", "customerInsights": "partnerSecurity"
        default: "directory"
        }
    }

    /// Resource units per request as the fake charges them (batches: 20 items at most).
    static func cost(_ call: String) -> Int {
        switch call {
        case "roleAssignments", "roleEligibilitySchedules", "groupEligibilitySchedules": 2
        case "groupTransitiveMembers": 4
        case "perUserMfaBatch": 20
        default: 1
        }
    }
}
