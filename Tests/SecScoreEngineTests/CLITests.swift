import Foundation
import SecScoreTestSupport
import Testing

/// The secscore executable end to end: exit codes, fleet mode, errors.
@Suite("secscore CLI")
struct CLITests {
    var examples: String { fixture("Examples/snapshots") }

    func secscore(_ arguments: [String]) async throws -> CommandOutput {
        try await runAndCapture(product("secscore"), arguments, environment: ["PATH": "/usr/bin:/bin", "COLUMNS": "100"])
    }

    @Test func usageErrorsExitTwo() async throws {
        let badDate = try await secscore(["evaluate", "--as-of", "2025-02-30"])
        #expect(badDate.status == 2)
        #expect(badDate.stderr.contains("--as-of must be a date YYYY-MM-DD"))
        #expect(try await secscore(["evaluate", "--format", "pdf"]).status == 2)
        #expect(try await secscore(["evaluate", "--partner-type", "reseller"]).status == 2)
    }

    /// Input and I/O failures are not usage errors: exit 2 with the reason
    /// and no usage text; the option that fixes one is named by the CLI,
    /// never by the library.
    @Test func inputFailuresExitTwoWithoutUsage() async throws {
        let dir = ScratchDirectory()
        let lock = try await secscore(["evaluate", "--lock", dir.path + "/no-such.lock"])
        #expect(lock.status == 2)
        #expect(lock.stderr.hasPrefix("error: cannot read \(dir.path)/no-such.lock: No such file or directory"))
        #expect(!lock.stderr.contains("USAGE") && !lock.stderr.contains("Usage"))
        dir.write("partner.json", #"{"commerceExperience": "newCommerce"}"#)
        let untyped = try await secscore(["evaluate", dir.path, "--as-of", "2025-11-15"])
        #expect(untyped.status == 2)
        #expect(untyped.stderr.contains("the partner type is unknown: set \"partnerType\" in partner.json (directBill, distributor or indirectReseller) or pass --partner-type"))
        #expect(!untyped.stderr.contains("USAGE") && untyped.stdout.isEmpty)
    }

    @Test func badSnapshotExitsTwoNamingFileAndPath() async throws {
        let dir = ScratchDirectory()
        dir.write("partner.json", #"{"partnerType": "directBill", "onboardedDate": "2020-02-30"}"#)
        let out = try await secscore(["evaluate", dir.path])
        #expect(out.status == 2)
        #expect(out.stderr.contains("partner.json: $.onboardedDate: expected a date YYYY-MM-DD, found \"2020-02-30\""))
        #expect(out.stdout.isEmpty)
    }

    @Test func missingDataIsCouldNotCheckAndExitsThree() async throws {
        let dir = ScratchDirectory()
        dir.write("partner.json", #"{"partnerType": "directBill", "commerceExperience": "newCommerce"}"#)
        let out = try await secscore(["evaluate", dir.path, "--as-of", "2025-11-15", "--format", "json"])
        #expect(out.status == 3)
        #expect(out.stdout.contains("\"reason\": \"securityContact.json is missing from the snapshot\""))
        #expect(out.stdout.contains("\"score\": 0"))
    }

    @Test func filesSecscoreDoesNotReadAreNamedWhereAFileIsMissing() async throws {
        let dir = ScratchDirectory()
        dir.write("partner.json", #"{"partnerType": "directBill", "commerceExperience": "newCommerce"}"#)
        dir.write("CustomerMFAStatistics.csv", "Customer,Admins\n")
        dir.write("securitycontact.json", #"{"name": "SOC"}"#)
        let out = try await secscore(["evaluate", dir.path, "--as-of", "2025-11-15", "--format", "json"])
        #expect(out.status == 3)
        #expect(out.stdout.contains("customerMfa.json is missing from the snapshot; found instead, and not read: CustomerMFAStatistics.csv, securitycontact.json"))
        let table = try await secscore(["evaluate", dir.path, "--as-of", "2025-11-15", "--format", "markdown"])
        #expect(!table.stdout.lowercased().contains("could not check: could not check"))
    }

    /// A preview of an edition before it takes effect: nothing counts, so
    /// nothing is eligible, and --fail-on mandatory does not pass (exit 3).
    @Test func undecidedAuthorizationIsNotAPass() async throws {
        let fabrikam = examples + "/fabrikam-distributor"
        let out = try await secscore(["evaluate", fabrikam, "--edition", "2025-10", "--as-of", "2025-09-30", "--format", "json"])
        #expect(out.status == 3)
        #expect(out.stdout.contains("\"eligible\": null"))
        #expect(try await secscore(["evaluate", fabrikam, "--edition", "2025-10", "--as-of", "2025-09-30", "--fail-on", "none"]).status == 0)
        let table = try await secscore(["evaluate", fabrikam, "--edition", "2025-10", "--as-of", "2025-09-30", "--fail-on", "none"])
        #expect(table.stdout.contains("CSP authorization: NOT DECIDED"))
    }

    /// An output that cannot be written is found before any plugin runs
    /// (exit 2, no usage text), and an existing report is never half
    /// overwritten.
    @Test func unwritableOutputFailsBeforeAnythingRuns() async throws {
        let contoso = examples + "/contoso-direct-bill"
        let out = try await secscore(["evaluate", contoso, "--as-of", "2025-11-15", "--format", "json", "--output", "/nonexistent-dir/report.json"])
        #expect(out.status == 2)
        #expect(out.stderr.contains("cannot write /nonexistent-dir/report.json"))
        #expect(!out.stderr.contains("Usage:") && !out.stderr.lowercased().contains("help"))
        let dir = ScratchDirectory()
        let report = dir.write("report.json", "previous report")
        let ok = try await secscore(["evaluate", contoso, "--as-of", "2025-11-15", "--format", "json", "--output", report])
        #expect(ok.status == 0)
        #expect(try String(contentsOfFile: report, encoding: .utf8).contains("\"schemaVersion\""))
        #expect((try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["report.json"])  // no temporary file left
    }

    /// A report written as it is rendered still fails cleanly when the
    /// disk refuses it part way: an error naming the path and the system's
    /// reason, exit 2, the previous report whole, no temporary file left.
    /// A soft file size limit of 128 KiB (SIGXFSZ ignored, so write(2) says
    /// EFBIG) cuts the 1.3 MB report after its first chunks; the plugins,
    /// which the host gives limits of their own, still run. /dev/full, a
    /// device, is written directly and fails at once.
    @Test func aWriteRefusedPartWayKeepsThePreviousReport() async throws {
        let dir = ScratchDirectory()
        let tenant = dir.path + "/tenant"
        #expect(try await secscore(["synth", tenant, "--seed", "3", "--users", "3000", "--alerts", "2000", "--customers", "1500"]).status == 0)
        let whole = try await secscore(["evaluate", tenant, "--as-of", "2025-11-15", "--format", "json", "--fail-on", "none"])
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(whole.stdout.utf8.count > 400_000)  // several chunks
        let report = dir.write("report.json", "previous report")
        let limited = try await runAndCapture(
            "/bin/sh", ["-c", "trap '' XFSZ; ulimit -S -f 256; exec \"$0\" \"$@\"", product("secscore"),
                        "evaluate", tenant, "--as-of", "2025-11-15", "--format", "json", "--fail-on", "none", "--output", report],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(limited.status == 2, "\(limited.stderr)")
        #expect(limited.stderr.contains("cannot write \(report): File too large"), "\(limited.stderr)")
        #expect(try String(contentsOfFile: report, encoding: .utf8) == "previous report")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["report.json", "tenant"])
        let full = try await secscore(["evaluate", tenant, "--as-of", "2025-11-15", "--format", "json", "--output", "/dev/full"])
        #expect(full.status == 2)
        #expect(full.stderr.contains("cannot write /dev/full: No space left on device"))
        // Standard output that refuses the report is an error too, not a
        // cut-off report under the verdict's exit status.
        let stdout = try await runAndCapture(
            "/bin/sh", ["-c", "exec \"$0\" \"$@\" > /dev/full", product("secscore"),
                        "evaluate", tenant, "--as-of", "2025-11-15", "--format", "json", "--fail-on", "none"],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(stdout.status == 2)
        #expect(stdout.stderr.contains("error: cannot write the report to standard output: No space left on device"), "\(stdout.stderr)")
    }

    /// Formats and outputs pair up, or the format follows the extension;
    /// a misnamed snapshot file is pointed out; --report-dir is created.
    @Test func outputsPairWithFormatsAndFilesAreNamed() async throws {
        let contoso = examples + "/contoso-direct-bill"
        let dir = ScratchDirectory()
        let unpaired = try await secscore(["evaluate", contoso, "--as-of", "2025-11-15", "--format", "json", "--format", "html", "--output", dir.path + "/r.html"])
        #expect(unpaired.status == 2 && unpaired.stderr.contains("give one --output per --format"))
        let unknown = try await secscore(["evaluate", contoso, "--as-of", "2025-11-15", "--output", dir.path + "/r.pdf"])
        #expect(unknown.status == 2 && unknown.stderr.contains("cannot tell the format of"))
        let byExtension = try await secscore(["evaluate", contoso, "--as-of", "2025-11-15", "--output", dir.path + "/r.json"])
        #expect(byExtension.status == 0)
        #expect(try String(contentsOfFile: dir.path + "/r.json", encoding: .utf8).hasPrefix("{"))
        unlink(dir.path + "/r.json")
        let snapshot = ScratchDirectory()
        for name in ["partner.json", "roleAssignments.json", "userRegistrationDetails.json"] {
            try FileManager.default.copyItem(atPath: contoso + "/" + name, toPath: snapshot.path + "/" + name)
        }
        try FileManager.default.copyItem(atPath: contoso + "/conditionalAccessPolicies.json", toPath: snapshot.path + "/conditionalaccesspolicies.json")
        let misnamed = try await secscore(["evaluate", snapshot.path, "--as-of", "2025-11-15"])
        #expect(misnamed.stderr.contains("conditionalaccesspolicies.json is not a file secscore reads (did you mean conditionalAccessPolicies.json?"))
        #expect(!misnamed.stdout.contains("no Conditional Access policy"))  // absent is not "none"
        for name in ["partner.json", "roleAssignments.json", "userRegistrationDetails.json", "conditionalaccesspolicies.json"] {
            unlink(snapshot.path + "/" + name)
        }
    }

    @Test func failOnControlsExitOne() async throws {
        let fabrikam = examples + "/fabrikam-distributor"
        #expect(try await secscore(["evaluate", fabrikam, "--as-of", "2025-11-15"]).status == 1)
        #expect(try await secscore(["evaluate", fabrikam, "--as-of", "2025-11-15", "--fail-on", "none"]).status == 0)
        let tailspin = examples + "/tailspin-traditional"
        #expect(try await secscore(["evaluate", tailspin, "--as-of", "2025-11-15"]).status == 0)
        #expect(try await secscore(["evaluate", tailspin, "--as-of", "2025-11-15", "--fail-on", "any"]).status == 1)
    }

    @Test func fleetReportsEveryPartnerAndGoesOnPastABrokenOne() async throws {
        let fleet = ScratchDirectory()
        let reports = ScratchDirectory()
        for name in ["contoso-direct-bill", "northwind-indirect-reseller"] {
            try FileManager.default.copyItem(atPath: examples + "/" + name, toPath: fleet.path + "/" + name)
        }
        try FileManager.default.createDirectory(atPath: fleet.path + "/broken", withIntermediateDirectories: false)
        try "{\"value\": [".write(toFile: fleet.path + "/broken/users.json", atomically: true, encoding: .utf8)
        defer {
            for name in ["contoso-direct-bill", "northwind-indirect-reseller", "broken"] {
                try? FileManager.default.removeItem(atPath: fleet.path + "/" + name)
            }
        }
        let summary = reports.path + "/../" + (reports.path.split(separator: "/").last.map(String.init) ?? "") + "-summary.json"
        defer { unlink(summary) }
        let out = try await secscore(["evaluate", "--fleet", fleet.path, "--as-of", "2025-11-15", "--report-dir", reports.path, "--summary", summary])
        #expect(out.status == 3)
        // The JSON summary: one entry per folder, in folder order.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summary))) as? [String: Any])
        let partners = try #require(json["partners"] as? [[String: Any]])
        #expect(partners.map { $0["name"] as? String } == ["broken", "contoso-direct-bill", "northwind-indirect-reseller"])
        #expect((partners[0]["failure"] as? String)?.contains("users.json") == true)
        #expect(partners[1]["score"] as? Double == 100 && partners[1]["authorization"] as? String == "eligible")
        #expect(partners[2]["earnedPoints"] as? Int == 50 && partners[2]["maxPoints"] as? Int == 70)
        #expect((json["pluginRestarts"] as? [String: Any])?.isEmpty == true)
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(lines[1].hasPrefix("broken") && lines[1].contains("users.json: is not valid JSON"))
        #expect(lines[2].hasPrefix("northwind-indirect-reseller") && lines[2].contains("71.43"))
        #expect(lines[3].hasPrefix("contoso-direct-bill") && lines[3].contains("100.00"))
        #expect(out.stdout.contains("3 partners: 2 evaluated, 1 could not be evaluated; 1 eligible for CSP authorization"))
        let written = try FileManager.default.contentsOfDirectory(atPath: reports.path).sorted()
        #expect(written == ["contoso-direct-bill.json", "index.html", "index.md", "northwind-indirect-reseller.json"])
        // The overview lists every partner worst first, with links to its reports.
        let overview = try String(contentsOfFile: reports.path + "/index.md", encoding: .utf8)
        let order = ["| broken |", "| northwind-indirect-reseller |", "| contoso-direct-bill |"].map { overview.range(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil } && order[0]! < order[1]! && order[1]! < order[2]!)
        #expect(overview.contains("[json](contoso-direct-bill.json)"))
        let page = try String(contentsOfFile: reports.path + "/index.html", encoding: .utf8)
        #expect(page.contains("<a href=\"northwind-indirect-reseller.json\">json</a>") && !page.contains("<script"))
        for name in written { try? FileManager.default.removeItem(atPath: reports.path + "/" + name) }
    }

    @Test func customerFilterLikeTheSearchBox() async throws {
        let out = try await secscore(["evaluate", examples + "/fabrikam-distributor", "--as-of", "2025-11-15", "--customer", "ALPINE", "--format", "json"])
        #expect(out.status == 1)
        #expect(out.stdout.contains(#"Filtered to customers matching \"ALPINE\": 1 of 4: Alpine Ski House (notCompliant)."#))
        #expect(!out.stdout.contains("Wide World Importers: 1 of 5 admins"))
        #expect(out.stdout.contains("\"score\": 25"))  // the score does not change
    }

    @Test func pluginsListsWhatEachAnswers() async throws {
        let out = try await secscore(["plugins"])
        #expect(out.status == 0, "\(out.stderr)")
        for requirement in ["mfaEnforcedForAdmins", "securityAlertsPromptlyResolved", "securityContactProvided",
                            "spendingBudgetSetForCustomerAzureSubscriptions", "mfaEnforcedForAdminsOfCustomers"] {
            #expect(out.stdout.contains("answers \(requirement):"))
        }
        #expect(out.stdout.contains("security-contact 1.0.0  (secscore-c 0.1.0)"))
    }

    @Test func synthIsDeterministicAndEvaluates() async throws {
        let dir = ScratchDirectory()
        let a = dir.path + "/a", b = dir.path + "/b", fleet = dir.path + "/fleet"
        #expect(try await secscore(["synth", a, "--seed", "7", "--users", "200", "--alerts", "30"]).status == 0)
        #expect(try await secscore(["synth", b, "--seed", "7", "--users", "200", "--alerts", "30"]).status == 0)
        for file in try FileManager.default.contentsOfDirectory(atPath: a) {
            #expect(FileManager.default.contentsEqual(atPath: a + "/" + file, andPath: b + "/" + file), "\(file) differs")
        }
        let one = try await secscore(["evaluate", a, "--as-of", "2025-11-15", "--format", "json"])
        #expect(one.status == 0 || one.status == 1, "\(one.stderr)")
        #expect(one.stdout.contains("\"schemaVersion\": 1"))
        #expect(try await secscore(["synth", fleet, "--fleet", "3"]).status == 0)
        let summary = try await secscore(["evaluate", "--fleet", fleet, "--as-of", "2025-11-15"])
        #expect(summary.stdout.contains("3 partners: 3 evaluated, 0 could not be evaluated"), "\(summary.stdout)\(summary.stderr)")
        try? FileManager.default.removeItem(atPath: a)
        try? FileManager.default.removeItem(atPath: b)
        try? FileManager.default.removeItem(atPath: fleet)
    }

    @Test func catalogAndExplain() async throws {
        let catalog = try await secscore(["catalog", "--edition", "2025-10"])
        #expect(catalog.status == 0)
        #expect(catalog.stdout.contains("securityAlertsPromptlyResolved"))
        #expect(catalog.stdout.contains("mandatory    10 points"))
        let explain = try await secscore(["explain", "mfaEnforcedForAdmins"])
        #expect(explain.status == 0)
        #expect(explain.stdout.contains("How secscore decides it:"))
        #expect(try await secscore(["explain", "noSuchRequirement"]).status == 2)
    }
}
