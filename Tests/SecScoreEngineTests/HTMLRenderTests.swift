import Foundation
import SecScoreTestSupport
import Testing

/// The HTML reports in a real browser: headless Chromium (Debian's package,
/// installed by `make test-deps`) loads each page, and the test reads the
/// DOM it rendered and every console message it logged. A Content-Security-
/// Policy violation or a script error is a console message, so none may
/// appear; the score and every requirement row must be in the rendered DOM.
@Suite("HTML reports in headless Chromium", .serialized)
struct HTMLRenderTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The rendered DOM and the console lines of `page`.
    func render(_ page: String) async throws -> (dom: String, console: [String]) {
        // The browser is a child process: run it while no leak check counts
        // this process's children and descriptors.
        await processTestLock.lock()
        defer { Task { await processTestLock.unlock() } }
        let browser = try #require(Self.chromium, "headless Chromium is not installed: run `make test-deps` (Debian's chromium package)")
        let scratch = ScratchDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(scratch.path)/profile",
            "--enable-logging=stderr", "--v=0", "--dump-dom", URL(fileURLWithPath: page).absoluteString,
        ]
        // Files, not pipes: nothing to drain while the browser runs.
        let domPath = scratch.write("dom.html", ""), logPath = scratch.write("console.log", "")
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: domPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try process.run()
        process.waitUntilExit()
        let dom = try String(contentsOfFile: domPath, encoding: .utf8)
        let stderr = try String(contentsOfFile: logPath, encoding: .utf8)
        #expect(process.terminationStatus == 0, "chromium: \(stderr)")
        return (dom, stderr.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") })
    }

    func secscore(_ arguments: [String]) async throws -> CommandOutput {
        try await runAndCapture(product("secscore"), arguments, environment: ["PATH": "/usr/bin:/bin"])
    }

    /// The test can see a violation: a page that breaks the same policy logs it.
    @Test func aViolationIsSeen() async throws {
        let dir = ScratchDirectory()
        let page = dir.write("bad.html", """
            <!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"></head>
            <body><p>hi</p><script>document.title = "ran"</script><img src="https://example.com/x.png"></body></html>
            """)
        let rendered = try await render(page)
        #expect(rendered.console.count == 2, "\(rendered.console)")
        #expect(rendered.console.allSatisfy { $0.contains("Content Security Policy") })
    }

    @Test func singleReportWithHistoryRendersCleanly() async throws {
        let dir = ScratchDirectory()
        let db = dir.path + "/h.sqlite"
        _ = try await secscore(["evaluate", fixture("Examples/snapshots/fabrikam-distributor"), "--as-of", "2025-11-01", "--history", db, "--format", "json"])
        let page = dir.path + "/report.html"
        let out = try await secscore(["evaluate", fixture("Examples/snapshots/fabrikam-distributor"), "--as-of", "2025-11-15",
                                      "--history", db, "--output", page])
        #expect(out.status == 1, "\(out.stderr)")
        let rendered = try await render(page)
        #expect(rendered.console.isEmpty, "\(rendered.console)")
        #expect(rendered.dom.contains("<div class=\"big\">25.00</div>"))
        for id in ["mfaEnforcedForAdmins", "securityAlertsPromptlyResolved", "securityContactProvided",
                   "spendingBudgetSetForCustomerAzureSubscriptions", "mfaEnforcedForAdminsOfCustomers"] {
            #expect(rendered.dom.contains("<tr id=\"\(id)\">"), "row \(id) is not in the rendered DOM")
        }
        #expect(rendered.dom.contains("Changed since the last run"))
        #expect(rendered.dom.contains("<svg class=\"trend\""))
    }

    @Test func fleetOverviewRendersCleanly() async throws {
        let dir = ScratchDirectory()
        let reports = dir.path + "/reports"
        let out = try await secscore(["evaluate", "--fleet", fixture("Examples/snapshots"), "--as-of", "2025-11-15",
                                      "--report-dir", reports, "--format", "html", "--history", dir.path + "/h.sqlite"])
        #expect(out.status == 1 || out.status == 3, "\(out.stderr)")
        let rendered = try await render(reports + "/index.html")
        #expect(rendered.console.isEmpty, "\(rendered.console)")
        for partner in ["contoso-direct-bill", "fabrikam-distributor", "northwind-indirect-reseller", "tailspin-traditional", "woodgrove-2024"] {
            #expect(rendered.dom.contains("<a href=\"\(partner).html\">html</a>"), "\(partner) is not linked")
        }
        #expect(rendered.dom.contains("5 partners: 5 evaluated"))
    }
}
