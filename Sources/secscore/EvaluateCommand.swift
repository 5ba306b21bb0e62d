import ArgumentParser
import Glibc
import PluginCheckRunner
import PluginHost
import SecScoreEngine
import SecScoreHistory
import SecScoreModel
import SecScoreReports
import TenantSnapshot

struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a tenant snapshot and print the Security requirements dashboard.",
        discussion: """
            A snapshot is a directory of JSON exports (partner.json, securityContact.json, \
            roleAssignments.json, conditionalAccessPolicies.json, securityAlerts.json, ...; \
            see README.md). Without a directory, the bundled example is evaluated.

            Exit status: 0 evaluated and the --fail-on condition not met; 1 evaluated and \
            met; 2 usage or input error, nothing evaluated; 3 evaluated but at least one \
            check could not run (3 wins over 1).
            """
    )

    @Argument(help: ArgumentHelp("The snapshot directory (default: the bundled example).", valueName: "SNAPSHOT_DIR"))
    var snapshot: String?

    @Option(help: ArgumentHelp("Evaluate as of this day (YYYY-MM-DD); picks the edition in force and ends every time window. Default: today.", valueName: "DATE"))
    var asOf: String?

    @OptionGroup var catalogOptions: CatalogOptions

    @Option(help: ArgumentHelp("Override partner.json's partner type.", valueName: "TYPE"))
    var partnerType: String?

    @OptionGroup var plugins: PluginOptions

    @Option(help: "Seconds each check may take.")
    var pluginTimeout: Double = 30

    @Option(help: "Report format (repeatable; pair each with an --output).")
    var format: [ReportFormat] = []

    @Option(help: ArgumentHelp("Write the report to FILE (repeatable, in --format order); - is stdout.", valueName: "FILE"))
    var output: [String] = []

    @Option(help: "Exit 1 when any mandatory requirement (or any requirement, or never) is not completed.")
    var failOn: FailureCondition = .mandatory

    @Option(help: ArgumentHelp("Show only customers whose name or tenant id contains TEXT in customer insights.", valueName: "TEXT"))
    var customer: String?

    @Option(help: ArgumentHelp("Evaluate every snapshot folder in DIR (one partner each) through one process per plugin; prints a summary.", valueName: "DIR"))
    var fleet: String?

    @Option(help: ArgumentHelp("With --fleet: write each partner's reports (every --format, default json) to DIR/<partner>.<ext>.", valueName: "DIR"))
    var reportDir: String?

    @Option(help: ArgumentHelp("With --fleet: also write the summary as JSON to FILE.", valueName: "FILE"))
    var summary: String?

    @Option(help: ArgumentHelp("Restart a plugin whose process died at most N times in a row without an answer (0: never).", valueName: "N"))
    var maxRestarts = 5

    @Option(help: ArgumentHelp("Record every evaluation in this SQLite database (created if missing); reports then say what changed since the partner's last run.", valueName: "FILE"))
    var history: String?

    @Flag(help: "No colour, even on a terminal.")
    var noColor = false

    @Flag(help: "Print plugin logs to stderr.")
    var verbose = false

    func validate() throws {
        if output.count > max(format.count, 1) {
            throw ValidationError("\(output.count) --output given for \(max(format.count, 1)) --format; give one --format per --output")
        }
        // Each --format goes with the --output in the same position; two
        // formats into one stream would mix them, so pair them all or none.
        if !output.isEmpty, format.count > output.count {
            throw ValidationError("\(format.count) --format given for \(output.count) --output; give one --output per --format (\"-\" for stdout)")
        }
        if format.isEmpty, let path = output.first, path != "-", ReportFormat.forFileName(path) == nil {
            throw ValidationError("cannot tell the format of \(path) from its extension; add --format table|json|markdown|html|junit")
        }
        if let partnerType, PartnerProfile.PartnerType(rawValue: partnerType) == nil {
            throw ValidationError("--partner-type must be directBill, distributor or indirectReseller, not \"\(partnerType)\"")
        }
        if let asOf, CivilDate(asOf) == nil {
            throw ValidationError("--as-of must be a date YYYY-MM-DD, not \"\(asOf)\"")
        }
        if pluginTimeout <= 0 { throw ValidationError("--plugin-timeout must be more than 0 seconds") }
        if fleet != nil, snapshot != nil { throw ValidationError("give a SNAPSHOT_DIR or --fleet DIR, not both") }
        if fleet != nil, !output.isEmpty { throw ValidationError("--output is for one snapshot; with --fleet use --report-dir") }
        if fleet == nil, reportDir != nil { throw ValidationError("--report-dir goes with --fleet") }
        if fleet == nil, summary != nil { throw ValidationError("--summary goes with --fleet") }
        if maxRestarts < 0 { throw ValidationError("--max-restarts must be 0 or more") }
    }

    func run() async throws {
        try checkDestinations()
        let recorder = try history.map { path throws(CommandFailure) in try HistoryRecorder(path: path) }
        if let fleet { return try await runFleet(fleet, recorder: recorder) }
        let directory = try snapshot ?? BundledExample.path()
        let catalog = try catalogOptions.loadCatalog()
        let loaded = try loadSnapshot(directory)
        let options = evaluationOptions()
        let set = try await launchPlugins(options, catalog: catalog)
        let report: EvaluationReport
        do {
            report = try await Evaluator.evaluate(snapshot: loaded, catalog: catalog, options: options, runner: PluginCheckRunner(set))
        } catch {
            await set.shutdown()
            throw CommandFailure("error: \(Self.withHint(error))")
        }
        await set.shutdown()
        let recorded = try await recorder?.record(report, folder: folderName(directory), digest: SnapshotDigest.of(loaded))
        KeptUntilExit.keep(loaded)
        KeptUntilExit.keep(report)
        try writeReports(report, history: recorded)
        let verdict = Scoring.verdict(report, failOn: failOn)
        if verdict != .passed { throw verdict.exitCode }
    }

    /// Every destination is checked before anything runs: a run that
    /// cannot write its report must not cost a whole evaluation first.
    func checkDestinations() throws(CommandFailure) {
        for path in output where path != "-" { try checkWritable(path) }
        if let summary { try checkWritable(summary) }
        if let reportDir {
            // Created if missing (its parent must be writable).
            var st = stat()
            if stat(reportDir, &st) == 0 { try checkWritable(reportDir + "/.secscore-probe") }
            else { try checkWritable(reportDir.hasSuffix("/") ? String(reportDir.dropLast()) : reportDir) }
        }
    }

    /// Loads a snapshot and warns about files in it that secscore does not read.
    func loadSnapshot(_ directory: String) throws(CommandFailure) -> TenantSnapshot {
        let loaded: TenantSnapshot
        do {
            loaded = try SnapshotLoader.load(directory: directory)
        } catch {
            throw CommandFailure("\(error)")
        }
        for name in loaded.unreadFiles {
            let hint = TenantSnapshot.knownFileNames.first { $0.lowercased() == name.lowercased() }.map { " (did you mean \($0)? names are case-sensitive)" } ?? ""
            printError("warning: \(directory)/\(name) is not a file secscore reads\(hint)")
        }
        return loaded
    }

    /// An evaluation error with the option that fixes it, where one does.
    static func withHint(_ error: EvaluationError) -> String {
        error.code == .partnerTypeUnknown ? "\(error) or pass --partner-type" : error.description
    }

    func evaluationOptions() -> EvaluationOptions {
        let (asOfDay, now) = resolveAsOf()
        return EvaluationOptions(
            asOf: asOfDay, now: now, editionID: catalogOptions.edition,
            partnerType: partnerType.flatMap(PartnerProfile.PartnerType.init(rawValue:)),
            checkTimeout: .milliseconds(Int64(pluginTimeout * 1000)))
    }

    /// Discovers and starts every plugin, and warns about requirements no
    /// plugin answers. Plugins that cannot run together exit 2.
    func launchPlugins(_ options: EvaluationOptions, catalog: Catalog) async throws -> PluginSet {
        var configuration = PluginHostConfiguration()
        configuration.requestTimeout = options.checkTimeout
        // A plugin that cannot even start within the check timeout will not check in time.
        configuration.handshakeTimeout = min(.seconds(10), max(.seconds(1), options.checkTimeout))
        configuration.restartPolicy.maxConsecutiveFailures = maxRestarts
        if verbose { configuration.logger = PluginLogPrinter.logger() }
        let set: PluginSet
        do {
            set = try await PluginSet.launch(try plugins.discover(), configuration: configuration)
        } catch let error as PluginSetError {
            throw CommandFailure("error: \(error) or point --plugin-dir elsewhere")
        }
        for line in CatalogCoverage.warnings(for: set.plugins.map(\.info), catalog: catalog) { printError(line) }
        return set
    }

    func renderer(terminal: Bool, history: ReportHistory? = nil) -> ReportRenderer {
        ReportRenderer(
            customerFilter: customer, width: terminal ? terminalWidth() : 100,
            color: terminal && !noColor && getenv("NO_COLOR") == nil, history: history)
    }

    /// The as-of day and the instant windows end at.
    func resolveAsOf() -> (CivilDate, Int64) {
        if let asOf, let day = CivilDate(asOf) {
            return (day, day.startUnixMillis + 86_400_000 - 1)
        }
        let now = nowMillis()
        return (CivilDate(unixMillis: now), now)
    }

    func writeReports(_ report: EvaluationReport, history: ReportHistory?) throws(CommandFailure) {
        let formats = !format.isEmpty ? format : [output.first.flatMap(ReportFormat.forFileName) ?? .table]
        for (index, format) in formats.enumerated() {
            let destination = index < output.count ? output[index] : "-"
            let renderer = renderer(terminal: destination == "-" && isatty(1) != 0, history: history)
            if destination == "-" {
                fflush(nil)  // anything print() left in stdio's buffer goes first
                var failure: Int32 = 0
                let written = renderer.write(report, as: format) { chunk in
                    failure = writeStandardOutput(chunk)
                    return failure == 0
                }
                if !written {
                    throw CommandFailure("error: cannot write the report to standard output: \(String(cString: strerror(failure)))")
                }
            } else {
                // Written as it is rendered: the 1,000,000-user tenant's
                // 112 MB JSON report never exists as one string.
                try writeFile(destination) { renderer.write(report, as: format, to: $0) }
            }
        }
    }
}
