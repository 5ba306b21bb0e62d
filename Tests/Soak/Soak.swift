import ArgumentParser
import CSecScoreHostShims
import Foundation
import Glibc
import Subprocess
import SystemPackage

/// The soak: a generated fleet evaluated twice through the real CLI and
/// plugins, once undisturbed and once while plugin processes are killed,
/// stalled and fed garbage from outside. Nothing may be lost, nothing may
/// change but the disturbed requirements (to "error", worth nothing), and
/// the host must end with flat memory, flat descriptors and no process left.
@main
struct Soak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secscore-soak",
        abstract: "Evaluate a generated fleet while a fault injector kills, stalls and corrupts plugins; check nothing was lost.")

    @Option(help: "Partners in the fleet.") var partners = 1_000
    @Option(help: "Faults to inject.") var faults = 60
    @Option(help: "Users per partner (bigger partners make a longer run).") var users = 200
    @Option(help: "Seed of the fleet and of the faults.") var seed: UInt64 = 7
    @Option(help: "Deadline of each check in seconds (a stalled plugin costs this much).") var pluginTimeout = 1.0
    @Option(help: "Work folder (default: a new one in /tmp, removed afterwards).") var work: String?
    @Option(help: "The secscore executable (default: next to this one).") var secscore: String?
    @Option(help: "Write the host's samples (seconds, RSS KiB, descriptors) as CSV to FILE.") var samples: String?

    mutating func run() async throws {
        let exe = secscore ?? (URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().path + "/secscore")
        let dir = work ?? {
            var template = Array("/tmp/secscore-soak-XXXXXX".utf8CString)
            return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        }()
        defer { if work == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let fleet = dir + "/fleet", clean = dir + "/clean", soaked = dir + "/soak"
        let asOf = "2025-11-15"

        // Orphans of the host (a plugin's grandchildren, a plugin the host
        // lost) would be re-parented to us, so "no process left" can be seen.
        guard ss_become_subreaper() == 0 else { throw SoakFailure("cannot become a subreaper: errno \(errno)") }

        print("secscore-soak: \(partners) partners of \(users) users, \(faults) faults, seed \(seed), plugin timeout \(pluginTimeout) s")
        let synth = try await runCommand(exe, ["synth", fleet, "--fleet", String(partners), "--users", String(users),
                                  "--admins", "8", "--customers", "12", "--subscriptions", "30", "--alerts", "20",
                                  "--seed", String(seed), "--as-of", asOf])
        guard synth.status == 0 else { throw SoakFailure("secscore synth failed with status \(synth.status)") }

        let common = ["evaluate", "--fleet", fleet, "--as-of", asOf, "--fail-on", "none",
                      "--plugin-timeout", String(pluginTimeout), "--max-restarts", "1000"]
        // 1. Undisturbed.
        let cleanStart = monotonicSeconds()
        let cleanRun = try await runCommand(exe, common + ["--report-dir", clean, "--summary", clean + ".json"])
        let cleanSeconds = monotonicSeconds() - cleanStart
        guard cleanRun.status == 0 else {
            throw SoakFailure("the undisturbed run exited \(cleanRun.status); it must evaluate every partner without errors")
        }
        print(String(format: "clean run: %.2f s", cleanSeconds))

        // 2. Disturbed: the same command while the injector works.
        let start = monotonicSeconds()
        let (faults, seed) = (self.faults, self.seed)
        let host = try await Subprocess.run(
            .path(FilePath(exe)), arguments: Arguments(common + ["--report-dir", soaked, "--summary", soaked + ".json"]),
            input: .none, output: .discarded, error: .discarded
        ) { execution in
            // Runs while the host does; `run` returns once it has exited.
            let pid = execution.processIdentifier.value
            let injector = FaultInjector(
                host: pid, count: faults, meanInterval: max(0.01, cleanSeconds / Double(faults + 1)), seed: seed)
            let sampler = Sampler(host: pid)
            let threads = [Thread { injector.run(start: start) }, Thread { sampler.run(start: start) }]
            for t in threads { t.start() }
            return (injector, sampler)
        }
        let soakSeconds = monotonicSeconds() - start
        let (injector, sampler) = host.closureResult
        let hostStatus = host.terminationStatus.code
        injector.stop()
        sampler.stop()
        usleep(100_000)

        // 3. Nothing may outlive the host.
        usleep(300_000)
        var leftovers = Proc.children(of: getpid()).map { "\($0) (\(Proc.name($0)))" }
        while waitpid(-1, nil, WNOHANG) > 0 {}
        if !leftovers.isEmpty {
            usleep(1_000_000)
            leftovers = Proc.children(of: getpid()).map { "\($0) (\(Proc.name($0)))" }
        }

        let verdict = try Verdict.compare(clean: clean, soaked: soaked, partners: partners)
        let injected = injector.faults
        let figures = Figures(samples: sampler.samples)
        if let samples {
            let csv = "seconds,rss_kib,descriptors\n" + sampler.samples.map { String(format: "%.3f,%d,%d", $0.at, $0.rssKiB, $0.descriptors) }.joined(separator: "\n") + "\n"
            try csv.write(toFile: samples, atomically: true, encoding: .utf8)
        }

        print(String(format: "soak run: %.2f s, host exit status %d", soakSeconds, hostStatus))
        let byKind = FaultKind.allCases.map { kind in "\(injected.filter { $0.kind == kind }.count) \(kind.rawValue)" }
        let byPlugin = Dictionary(grouping: injected, by: \.plugin).map { "\($0.key) \($0.value.count)" }.sorted()
        print("faults injected: \(injected.count) (\(byKind.joined(separator: ", "))); by plugin: \(byPlugin.joined(separator: ", "))")
        print("plugin restarts: \(verdict.restarts.isEmpty ? "none" : verdict.restarts.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", "))")
        print("result rows: \(verdict.rows) for \(partners) partners (missing \(verdict.missing), duplicated \(verdict.duplicated))")
        print("partners identical to the clean run byte for byte: \(verdict.identical); disturbed: \(verdict.disturbed) (requirements turned to error: \(verdict.erroredRequirements): \(verdict.reasons.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")))")
        print(figures.description)
        print("processes left after the host exited: \(leftovers.isEmpty ? "none" : leftovers.joined(separator: ", "))")

        var problems = verdict.problems
        if verdict.missing > 0 || verdict.duplicated > 0 || verdict.rows != partners {
            problems.append("\(verdict.rows) result rows for \(partners) partners")
        }
        if !leftovers.isEmpty { problems.append("processes left behind: \(leftovers.joined(separator: ", "))") }
        problems += figures.problems
        // One fault can disturb at most the partners in flight with that plugin.
        if verdict.disturbed > 8 * max(injected.count, 0) {
            problems.append("\(verdict.disturbed) partners disturbed by \(injected.count) faults: more than the 8 in flight per fault")
        }
        if hostStatus != 0 && hostStatus != 3 {
            problems.append("the host exited \(hostStatus) (expected 0, or 3 when requirements could not be checked)")
        }
        if problems.isEmpty {
            print("soak passed: nothing lost, nothing changed but the disturbed requirements, nothing left running")
        } else {
            for p in problems { print("FAIL: \(p)") }
            throw ExitCode(1)
        }
    }
}

struct SoakFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Host memory and descriptors over the run. Flat means: the median RSS of
/// the last third is no more than that of the first third (after start-up)
/// within allocator noise, and the most descriptors open at once in the last
/// third is no more than earlier in the run. (Descriptors come and go with
/// every snapshot file read and report written; a leak per partner or per
/// restart would lift the maximum steadily.)
struct Figures: CustomStringConvertible {
    var samples: [Sampler.Sample]

    private var windows: (first: [Sampler.Sample], earlier: [Sampler.Sample], last: [Sampler.Sample])? {
        guard let end = samples.last?.at, samples.count >= 9 else { return nil }
        let start = end * 0.1, third = (end - start) / 3
        let first = samples.filter { $0.at >= start && $0.at < start + third }
        let earlier = samples.filter { $0.at >= start && $0.at < end - third }
        let last = samples.filter { $0.at >= end - third }
        return first.isEmpty || last.isEmpty ? nil : (first, earlier, last)
    }

    private static func median(_ v: [Int]) -> Int { v.sorted()[v.count / 2] }

    var description: String {
        guard let (first, earlier, last) = windows else { return "host samples: too few (\(samples.count)) to judge" }
        let rssFirst = Self.median(first.map(\.rssKiB)), rssLast = Self.median(last.map(\.rssKiB))
        let peak = samples.map(\.rssKiB).max() ?? 0
        return "host memory: median RSS \(rssFirst / 1024) MiB in the first third, \(rssLast / 1024) MiB in the last, peak \(peak / 1024) MiB; "
            + "descriptors: at most \(earlier.map(\.descriptors).max()!) open in the first two thirds, \(last.map(\.descriptors).max()!) in the last (\(samples.count) samples)"
    }

    var problems: [String] {
        guard let (first, earlier, last) = windows else { return [] }
        var out: [String] = []
        let rssFirst = Self.median(first.map(\.rssKiB)), rssLast = Self.median(last.map(\.rssKiB))
        // 25% plus 8 MiB covers allocator and thread-stack noise; a leak per
        // partner or per restart shows as steady growth far beyond it.
        if Double(rssLast) > Double(rssFirst) * 1.25 + 8 * 1024 {
            out.append("host memory grew from \(rssFirst) KiB to \(rssLast) KiB")
        }
        let fdEarlier = earlier.map(\.descriptors).max()!, fdLast = last.map(\.descriptors).max()!
        if fdLast > fdEarlier + 4 { out.append("host descriptors grew from at most \(fdEarlier) to \(fdLast)") }
        return out
    }
}
