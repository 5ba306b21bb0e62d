import Foundation
import SecScoreTestSupport
import Testing

/// A verdict never depends on timing (issue 10): a plugin that answers
/// correctly and then, before exiting, sends a second answer, an answer
/// nobody asked for, or stray bytes, earns nothing whether that comes in the
/// same write or much later; in single and fleet runs. And no descendant of
/// a plugin outlives the run, even one that left the plugin's process group.
@Suite("Late violations and escaped descendants, through secscore evaluate", .serialized)
struct LateViolationTests {
    static let delays = [0, 150, 600]
    static let modes = ["late-duplicate", "late-unsolicited", "late-garbage"].flatMap { kind in delays.map { "\(kind)-\($0)" } }

    func evaluate(mode: String, fleet: Bool = false) async throws -> (CommandOutput, [[String: Any]]) {
        let dir = ScratchDirectory()
        let catalog = try HostilePluginTests.catalog(in: dir)
        _ = dir.script("secscore-plugin-hostile", "#!/bin/sh\nexec \(product("test-plugin-misbehaving")) \(mode)\n")
        let common = ["--as-of", "2025-11-15", "--catalog", catalog, "--plugin-dir", dir.path, "--plugin-timeout", "3"]
        if !fleet {
            let out = try await runAndCapture(
                product("secscore"), ["evaluate", fixture("Examples/snapshots/contoso-direct-bill"), "--format", "json"] + common,
                environment: ["PATH": "/usr/bin:/bin"])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any], "\(mode): \(out.stderr)")
            return (out, [json])
        }
        let partners = ScratchDirectory()
        let reports = ScratchDirectory()
        for name in ["a", "b", "c"] {
            try FileManager.default.copyItem(atPath: fixture("Examples/snapshots/contoso-direct-bill"), toPath: partners.path + "/" + name)
        }
        defer { for name in ["a", "b", "c"] { try? FileManager.default.removeItem(atPath: partners.path + "/" + name) } }
        let out = try await runAndCapture(
            product("secscore"), ["evaluate", "--fleet", partners.path, "--report-dir", reports.path] + common,
            environment: ["PATH": "/usr/bin:/bin"])
        var all: [[String: Any]] = []
        for name in ["a", "b", "c"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: reports.path + "/\(name).json"))
            all.append(try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]))
            unlink(reports.path + "/\(name).json")
        }
        return (out, all)
    }

    func hostile(_ report: [String: Any]) -> [String: Any]? {
        (report["requirements"] as? [[String: Any]])?.first { $0["id"] as? String == "test.fault" }
    }

    @Test(arguments: modes)
    func lateViolationEarnsNothingInASingleRun(_ mode: String) async throws {
        let (out, reports) = try await evaluate(mode: mode)
        let r = try #require(hostile(reports[0]))
        #expect(r["status"] as? String == "error", "\(mode): \(r)")
        #expect(r["points"] as? Int == 0)
        #expect((r["reason"] as? String)?.contains("broke the protocol") == true, "\(mode): \(r["reason"] ?? "")")
        #expect(out.status == 3, "\(mode): exit \(out.status)")
        // The shipped plugins are unaffected.
        #expect((reports[0]["requirements"] as? [[String: Any]])?.first { $0["id"] as? String == "mfaEnforcedForAdmins" }?["points"] as? Int == 20)
    }

    @Test(arguments: ["late-duplicate-0", "late-unsolicited-300", "late-garbage-600"])
    func lateViolationEarnsNothingInAFleet(_ mode: String) async throws {
        let (out, reports) = try await evaluate(mode: mode, fleet: true)
        #expect(out.status == 3, "\(mode): exit \(out.status): \(out.stderr)")
        for report in reports {
            let r = try #require(hostile(report))
            #expect(r["status"] as? String == "error", "\(mode): \(r)")
            #expect(r["points"] as? Int == 0)
        }
    }

    @Test func aWellBehavedPluginStillEarnsItsPoints() async throws {
        let (single, reports) = try await evaluate(mode: "ok")
        #expect(single.status == 0)
        #expect(hostile(reports[0])?["status"] as? String == "completed")
        let (fleet, fleetReports) = try await evaluate(mode: "ok", fleet: true)
        #expect(fleet.status == 0, "\(fleet.stderr)")
        #expect(fleetReports.allSatisfy { hostile($0)?["status"] as? String == "completed" })
    }

    /// Live processes whose command line names `mode` (the fixture's argument).
    func live(_ mode: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid -> String? in
            guard Int32(pid) != nil,
                  let cmd = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
                  cmd.contains("test-plugin-misbehaving"), cmd.contains(mode),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  !stat.contains(") Z ")
            else { return nil }
            return pid
        }
    }

    @Test(arguments: ["escape-setsid", "escape-double-fork"])
    func escapedDescendantsDoNotOutliveTheRun(_ mode: String) async throws {
        #expect(live(mode).isEmpty, "left over from an earlier run")
        let (single, _) = try await evaluate(mode: mode)
        #expect(single.status == 0, "\(single.stderr)")
        var left = live(mode)
        for _ in 0..<50 where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(20))
            left = live(mode)
        }
        #expect(left.isEmpty, "\(mode) left \(left) running after secscore exited")
        let (fleet, _) = try await evaluate(mode: mode, fleet: true)
        #expect(fleet.status == 0, "\(fleet.stderr)")
        left = live(mode)
        for _ in 0..<50 where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(20))
            left = live(mode)
        }
        #expect(left.isEmpty, "\(mode) left \(left) running after a fleet run")
        // Clean up after a failure, so later tests start clean.
        for pid in left { kill(Int32(pid)!, SIGKILL) }
    }
}
