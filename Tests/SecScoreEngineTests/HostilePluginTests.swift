import Foundation
import SecScoreTestSupport
import Testing

/// Hostile plugins run through `secscore evaluate` next to the shipped ones:
/// whatever they do, the other requirements come out as they would without
/// them, the hostile requirement is an error that earns nothing, the exit
/// status is 3, no process is left, and no report carries the payload raw.
@Suite("Hostile plugins through secscore evaluate")
struct HostilePluginTests {
    /// The built-in 2025-10 edition plus "test.fault", which the hostile
    /// plugin answers.
    static func catalog(in dir: ScratchDirectory) throws -> String {
        var text = try String(contentsOfFile: fixture("Sources/SecScoreModel/Resources/catalog.json"), encoding: .utf8)
        let extra = """
            {"id": "test.fault", "title": "Hostile", "description": "answered by a hostile plugin", "type": "recommended",
             "maxPoints": 10, "applicablePartnerTypes": ["directBill", "distributor", "indirectReseller"],
             "effectiveDate": "2025-10-01", "state": "active", "instructionsUrl": "https://example.com/i", "actionUrl": "https://example.com/a"},

            """
        // Insert as the first requirement of the first edition (2025-10).
        let marker = "\"requirements\": ["
        let range = try #require(text.range(of: marker))
        text.insert(contentsOf: "\n" + extra, at: range.upperBound)
        return dir.write("catalog.json", text)
    }

    static let modes = [
        "crash-mid-request", "exit-mid-request", "hang-mid-request", "ignore-sigterm", "grandchild",
        "bad-magic", "oversized-length", "truncated-frame", "invalid-protobuf", "invalid-utf8", "deep-nesting",
        "wrong-id", "answer-twice", "undeclared-requirement", "garbage-before-handshake", "hang-before-handshake",
        "sdk-log-flood", "sdk-hostile-text", "sdk-allocate", "sdk-env-dump", "sdk-log-frames",
        "sdk-duplicate-metric", "sdk-nan-metric",
    ]

    @Test(arguments: modes)
    func hostileModeIsContained(_ mode: String) async throws {
        let dir = ScratchDirectory()
        let catalog = try Self.catalog(in: dir)
        _ = dir.script("secscore-plugin-hostile", "#!/bin/sh\nexec \(product("test-plugin-misbehaving")) \(mode)\n")
        // Hold the process lock for the whole case, so the time measured is
        // this evaluation's alone.
        await processTestLock.lock()
        let clock = ContinuousClock()
        let start = clock.now
        var result: Result<CommandOutput, any Error>
        do {
            result = .success(try await runAndCapture(
            product("secscore"),
            ["evaluate", fixture("Examples/snapshots/contoso-direct-bill"), "--as-of", "2025-11-15",
             "--catalog", catalog, "--plugin-dir", dir.path, "--plugin-timeout", "2", "--format", "json"],
            environment: ["PATH": "/usr/bin:/bin", "SECSCORE_TEST_SECRET": "hunter2"], exclusive: false))
        } catch {
            result = .failure(error)
        }
        let elapsed = clock.now - start
        // Look for leftovers before another test may start fixtures of its own.
        // A SIGKILLed grandchild may take a moment to die: wait up to 1 s.
        var leftovers = liveFixtures()
        for _ in 0..<50 where !leftovers.isEmpty {
            try await Task.sleep(for: .milliseconds(20))
            leftovers = liveFixtures()
        }
        await processTestLock.unlock()
        let out = try result.get()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any], "\(mode): \(out.stderr)")
        let requirements = try #require(json["requirements"] as? [[String: Any]])
        let hostile = try #require(requirements.first { $0["id"] as? String == "test.fault" })
        let mfa = try #require(requirements.first { $0["id"] as? String == "mfaEnforcedForAdmins" })

        if mode == "sdk-env-dump" || mode == "sdk-log-frames" {
            // These answer correctly; what matters is what they carry.
            #expect(hostile["status"] as? String == "completed")
            #expect(out.status == 0)
        } else {
            #expect(hostile["status"] as? String == "error", "\(mode): \(hostile)")
            #expect(hostile["points"] as? Int == 0)
            #expect(out.status == 3, "\(mode): exit \(out.status)")
        }
        // Every shipped requirement still comes out as it does without the hostile plugin.
        for r in requirements where r["id"] as? String != "test.fault" {
            #expect(r["status"] as? String == "completed", "\(mode) disturbed \(r["id"] ?? "?")")
        }
        #expect(mfa["points"] as? Int == 20)
        // Within the deadlines: 2 s handshake or request, 1 s cancel grace,
        // shutdown 2 s + 1 s, plus slack for a loaded machine.
        #expect(elapsed < .seconds(12), "\(mode) took \(elapsed)")
        // No secret and no raw payload in the report.
        #expect(!out.stdout.contains("hunter2"))
        #expect(!out.stdout.contains("SECSCORE_TEST_SECRET"))
        #expect(!out.stdout.contains("\u{1B}"))
        #expect(!out.stdout.contains("<script>alert"))  // JSON keeps it as text, but never unescaped control bytes
        // No process of the hostile plugin is left (its wrapper ran the fixture).
        #expect(leftovers.isEmpty, "\(mode) left \(leftovers)")
    }

    /// Plugin text is bounded (FindingLimits): a 2 MB insight and 500 more
    /// reach no report whole, in any format, and say they were cut.
    @Test func hugeTextIsCutInEveryReport() async throws {
        let dir = ScratchDirectory()
        let catalog = try Self.catalog(in: dir)
        _ = dir.script("secscore-plugin-hostile", "#!/bin/sh\nexec \(product("test-plugin-misbehaving")) sdk-huge-text\n")
        for format in ["json", "markdown", "html", "junit", "table"] {
            let out = try await runAndCapture(
                product("secscore"),
                ["evaluate", fixture("Examples/snapshots/contoso-direct-bill"), "--as-of", "2025-11-15", "--catalog", catalog,
                 "--plugin-dir", dir.path, "--format", format],
                environment: ["PATH": "/usr/bin:/bin"])
            #expect(out.status == 0, "\(format): \(out.stderr)")
            #expect(out.stdout.utf8.count < 200_000, "\(format) report is \(out.stdout.utf8.count) bytes")
            #expect(!out.stdout.contains(String(repeating: "w", count: 2_100)), "\(format)")
            if format != "table" {
                #expect(out.stdout.contains("more bytes"), "\(format) does not mark the cut")
                #expect(out.stdout.contains("more insights, not shown"), "\(format)")
            }
        }
    }

    /// Live processes of the misbehaving fixture anywhere on the machine.
    /// Live processes of this build's fixture, by its full path: another
    /// checkout's tests running at the same time are not ours to count.
    func liveFixtures() -> [String] {
        let fixturePath = product("test-plugin-misbehaving")
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid -> String? in
            guard Int32(pid) != nil,
                  let cmd = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
                  cmd.contains(fixturePath),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  !stat.contains(") Z ")
            else { return nil }
            return pid
        }
    }
}
