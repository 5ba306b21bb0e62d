import Glibc
import SecScoreTestSupport
import Testing

/// Every example snapshot through the real CLI and the real plugin
/// processes, compared with its checked-in report. Set RECORD_GOLDEN=1 to
/// rewrite the files after an intended change, and review the diff.
@Suite("Example snapshots match their golden reports")
struct GoldenReportTests {
    static let examples: [(name: String, asOf: String, exit: Int32)] = [
        ("contoso-direct-bill", "2025-11-15", 0),
        ("fabrikam-distributor", "2025-11-15", 1),
        ("northwind-indirect-reseller", "2025-11-15", 1),
        ("tailspin-traditional", "2025-11-15", 0),
        ("woodgrove-2024", "2025-06-01", 1),
    ]

    @Test(arguments: examples.map(\.name))
    func matchesGolden(_ name: String) async throws {
        let example = try #require(Self.examples.first { $0.name == name })
        for (format, suffix) in [("json", "json"), ("table", "txt"), ("markdown", "md"), ("junit", "xml")] {
            let output = try await runAndCapture(
                product("secscore"),
                ["evaluate", fixture("Examples/snapshots/" + name), "--as-of", example.asOf, "--format", format],
                environment: ["COLUMNS": "100", "PATH": "/usr/bin:/bin"])
            #expect(output.status == example.exit, "\(name) exit status; stderr: \(output.stderr)")
            #expect(output.stderr.isEmpty, "\(name): \(output.stderr)")
            try compare(output.stdout, golden: fixture("Examples/expected/\(name).\(suffix)"))
        }
    }

    func compare(_ actual: String, golden path: String) throws {
        if getenv("RECORD_GOLDEN") != nil {
            let f = try #require(fopen(path, "wb"))
            fputs(actual, f)
            fclose(f)
            return
        }
        guard let expected = try? readText(path) else {
            Issue.record("no golden file \(path); run the tests with RECORD_GOLDEN=1 to create it")
            return
        }
        if expected == actual { return }
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let line = Array(zip(e, a)).firstIndex { $0 != $1 } ?? min(e.count, a.count)
        Issue.record("""
            \(path) differs at line \(line + 1):
              expected: \(line < e.count ? String(e[line]) : "<end>")
              actual:   \(line < a.count ? String(a[line]) : "<end>")
            Run with RECORD_GOLDEN=1 if the change is intended.
            """)
    }
}
