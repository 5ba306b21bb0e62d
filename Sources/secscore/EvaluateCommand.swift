import ArgumentParser
import Glibc
import PluginHost
import SecScoreEngine
import SecScoreModel
import SecScoreReports
import TenantSnapshot

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, markdown, html, junit

    /// The format a file name's extension names (.json, .html, .md, .xml,
    /// .txt), for an --output given without --format.
    static func forFileName(_ path: String) -> ReportFormat? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "json": return .json
        case "html", "htm": return .html
        case "md", "markdown": return .markdown
        case "xml": return .junit
        case "txt": return .table
        default: return nil
        }
    }

    /// File extension for per-partner reports in fleet mode.
    var fileExtension: String {
        switch self {
        case .table: "txt"
        case .json: "json"
        case .markdown: "md"
        case .html: "html"
        case .junit: "xml"
        }
    }
}

enum FailOn: String, ExpressibleByArgument, CaseIterable {
    case mandatory, any, none
}

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

    @Option(help: ArgumentHelp("Use this catalog edition (2025-10 or 2024) instead of the one in force.", valueName: "ID"))
    var edition: String?

    @Option(help: ArgumentHelp("Override partner.json's partner type.", valueName: "TYPE"))
    var partnerType: String?

    @Option(help: ArgumentHelp("Use this requirement catalog instead of the built-in one.", valueName: "FILE"))
    var catalog: String?

    @OptionGroup var plugins: PluginOptions

    @Option(help: "Seconds each check may take.")
    var pluginTimeout: Double = 30

    @Option(help: "Report format (repeatable; pair each with an --output).")
    var format: [ReportFormat] = []

    @Option(help: ArgumentHelp("Write the report to FILE (repeatable, in --format order); - is stdout.", valueName: "FILE"))
    var output: [String] = []

    @Option(help: "Exit 1 when any mandatory requirement (or any requirement, or never) is not completed.")
    var failOn: FailOn = .mandatory

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
        // Every destination is checked before anything runs: a run that
        // cannot write its report must not cost a whole evaluation first.
        do {
            for path in output where path != "-" { try checkWritable(path) }
            if let summary { try checkWritable(summary) }
            if let reportDir {
                // Created if missing (its parent must be writable).
                var st = stat()
                if stat(reportDir, &st) == 0 { try checkWritable(reportDir + "/.secscore-probe") }
                else { try checkWritable(reportDir.hasSuffix("/") ? String(reportDir.dropLast()) : reportDir) }
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        if let fleet { return try await runFleet(fleet) }
        let directory = try snapshot ?? BundledExample.path()
        let loadedCatalog = try loadCatalog()
        let loadedSnapshot: TenantSnapshot
        do {
            loadedSnapshot = try SnapshotLoader.load(directory: directory)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        for name in loadedSnapshot.unreadFiles {
            let hint = TenantSnapshot.knownFileNames.first { $0.lowercased() == name.lowercased() }.map { " (did you mean \($0)? names are case-sensitive)" } ?? ""
            printError("warning: \(directory)/\(name) is not a file secscore reads\(hint)")
        }
        let options = evaluationOptions()
        let set = try await launchPlugins(options)
        for line in CatalogCoverage.warnings(for: set.plugins.map(\.info), catalog: loadedCatalog) { printError(line) }
        let report: EvaluationReport
        do {
            report = try await Evaluator.evaluate(snapshot: loadedSnapshot, catalog: loadedCatalog, options: options, runner: set)
        } catch {
            await set.shutdown()
            printError("error: \(error)")
            throw ExitCode(2)
        }
        await set.shutdown()
        do {
            try writeReports(report)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        // Authorization nobody can decide is not a pass (exit 3, as could not check).
        if report.hasErrors || (failOn != .none && report.undecidedAuthorization != nil) { throw ExitCode(3) }
        if failsCondition(report) { throw ExitCode(1) }
    }

    /// `--fleet`: every subfolder is a partner; one plugin set serves them all.
    func runFleet(_ directory: String) async throws {
        let loadedCatalog = try loadCatalog()
        let folders: [(name: String, path: String)]
        do {
            folders = try FleetEvaluator.snapshotFolders(in: directory)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        if folders.isEmpty {
            printError("\(directory): no snapshot folders in the fleet directory")
            throw ExitCode(2)
        }
        let options = evaluationOptions()
        let set = try await launchPlugins(options)
        for line in CatalogCoverage.warnings(for: set.plugins.map(\.info), catalog: loadedCatalog) { printError(line) }
        let showProgress = isatty(2) != 0
        if let reportDir { mkdir(reportDir, 0o755) }
        let formats = format.isEmpty ? [ReportFormat.json] : format
        let rows = await FleetEvaluator.evaluate(
            folders: folders, catalog: loadedCatalog, options: options, runner: set,
            handle: { [self] entry in
                switch entry.outcome {
                case .success(let report):
                    if let reportDir {
                        for format in formats {
                            let path = "\(reportDir)/\(entry.name).\(format.fileExtension)"
                            do {
                                try writeFile(path, render(report, format, terminal: false))
                            } catch {
                                return FleetRow(row: FleetSummary.Row(name: entry.name, report: report), failsCondition: failsCondition(report), writeError: "\(error)")
                            }
                        }
                    }
                    return FleetRow(row: FleetSummary.Row(name: entry.name, report: report), failsCondition: failsCondition(report))
                case .failure(let error):
                    return FleetRow(row: FleetSummary.Row(name: entry.name, failure: error.description), failsCondition: false)
                }
            },
            progress: { done, total in
                guard showProgress else { return }
                let width = 30
                let filled = width * done / max(total, 1)
                printError("\r[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "] \(done)/\(total) partners", newline: false)
            })
        if showProgress { printError("") }
        await set.shutdown()
        let restarts = set.plugins.filter { $0.restartCount > 0 }.map { (plugin: $0.info.name, count: $0.restartCount) }
        for restart in restarts {
            printError("note: plugin \(restart.plugin) stopped and was restarted \(restart.count) time\(restart.count == 1 ? "" : "s"); requests in flight when it stopped are reported as could not check")
        }
        for row in rows { if let e = row.writeError { printError("error: \(e)") } }
        print(FleetSummary.render(rows.map(\.row)), terminator: "")
        if let summary {
            do {
                try writeFile(summary, FleetSummary.renderJSON(rows.map(\.row), restarts: restarts))
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
        }
        if rows.contains(where: { $0.writeError != nil }) { throw ExitCode(2) }
        if rows.contains(where: { $0.row.failure != nil || !$0.row.errors.isEmpty || (failOn != .none && $0.row.authorization == "undecided") }) {
            throw ExitCode(3)
        }
        if rows.contains(where: \.failsCondition) { throw ExitCode(1) }
    }

    func loadCatalog() throws -> Catalog { try loadCatalogFile(catalog) }

    func evaluationOptions() -> EvaluationOptions {
        let (asOfDay, now) = resolveAsOf()
        return EvaluationOptions(
            asOf: asOfDay, now: now, editionID: edition,
            partnerType: partnerType.flatMap(PartnerProfile.PartnerType.init(rawValue:)),
            checkTimeout: .milliseconds(Int64(pluginTimeout * 1000)))
    }

    /// Discovers and starts every plugin; plugins that cannot run together exit 2.
    func launchPlugins(_ options: EvaluationOptions) async throws -> PluginSet {
        var configuration = PluginHostConfiguration()
        configuration.requestTimeout = options.checkTimeout
        // A plugin that cannot even start within the check timeout will not check in time.
        configuration.handshakeTimeout = min(.seconds(10), max(.seconds(1), options.checkTimeout))
        configuration.restartPolicy.maxConsecutiveFailures = maxRestarts
        if verbose { configuration.logger = PluginLogPrinter.logger() }
        do {
            return try await PluginSet.launch(try plugins.discover(), configuration: configuration)
        } catch let error as PluginSetError {
            printError("error: \(error)")
            throw ExitCode(2)
        }
    }

    /// Whether `--fail-on` is met by one report.
    func failsCondition(_ report: EvaluationReport) -> Bool {
        switch failOn {
        case .none: false
        case .any: report.requirements.contains { $0.status == .notCompleted }
        case .mandatory:
            report.requirements.contains {
                $0.status == .notCompleted && ($0.requirement.type == .mandatory || !report.edition.hasRequirementTypes)
            }
        }
    }

    func render(_ report: EvaluationReport, _ format: ReportFormat, terminal: Bool) -> String {
        let report = customer.map { report.filteringCustomers($0) } ?? report
        return switch format {
        case .table:
            TerminalDashboard(width: terminal ? terminalWidth() : 100, color: terminal && !noColor && getenv("NO_COLOR") == nil)
                .render(report)
        case .json: JSONReport.render(report)
        case .markdown: MarkdownReport.render(report)
        case .html: HTMLReport.render(report)
        case .junit: JUnitReport.render(report)
        }
    }

    /// The as-of day and the instant windows end at.
    func resolveAsOf() -> (CivilDate, Int64) {
        if let asOf, let day = CivilDate(asOf) {
            return (day, day.startUnixMillis + 86_400_000 - 1)
        }
        let now = Self.nowMillis()
        return (CivilDate(unixMillis: now), now)
    }

    static func nowMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec / 1_000_000)
    }

    /// Today in UTC.
    static func today() -> CivilDate { CivilDate(unixMillis: nowMillis()) }

    func writeReports(_ report: EvaluationReport) throws {
        let formats = !format.isEmpty ? format : [output.first.flatMap(ReportFormat.forFileName) ?? .table]
        for (index, format) in formats.enumerated() {
            let destination = index < output.count ? output[index] : "-"
            let text = render(report, format, terminal: destination == "-" && isatty(1) != 0)
            if destination == "-" {
                print(text, terminator: "")
            } else {
                try writeFile(destination, text)
            }
        }
    }
}

func terminalWidth() -> Int {
    var size = winsize()
    if isatty(1) != 0, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    if let columns = getenv("COLUMNS").flatMap({ Int(String(cString: $0)) }) { return columns }
    return 100
}

func printError(_ text: String, newline: Bool = true) {
    var line = newline ? text + "\n" : text
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// A report or summary that cannot be written: an I/O failure, exit 2
/// without a usage line (the command line was fine).
struct OutputError: Error, CustomStringConvertible {
    let description: String
}

/// Fails early, before any plugin runs, when `path` could not be written:
/// its folder is missing or not writable, or it exists and is not writable.
func checkWritable(_ path: String) throws {
    let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
    var st = stat()
    if stat(path, &st) == 0 {
        if st.st_mode & S_IFMT == S_IFDIR { throw OutputError(description: "cannot write \(path): it is a directory") }
        if access(path, W_OK) != 0 { throw OutputError(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
        return
    }
    if access(folder.isEmpty ? "/" : folder, W_OK) != 0 {
        throw OutputError(description: "cannot write \(path): \(folder.isEmpty ? "/" : folder): \(String(cString: strerror(errno)))")
    }
}

/// Writes `text` to `path` whole or not at all: into a temporary file beside
/// it, then renamed over it, so a failure never leaves a half report or
/// destroys the previous one. Special files (a pipe, /dev/stdout) are
/// written directly.
func writeFile(_ path: String, _ text: String) throws {
    var st = stat()
    let special = stat(path, &st) == 0 && st.st_mode & S_IFMT != S_IFREG
    let target = special ? path : path + ".tmp-\(getpid())"
    guard let file = fopen(target, "wb") else {
        throw OutputError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
    }
    var text = text
    var ok = text.withUTF8 { fwrite($0.baseAddress, 1, $0.count, file) == $0.count }
    ok = fflush(file) == 0 && ok
    let err = errno
    fclose(file)
    guard ok else {
        if !special { unlink(target) }
        throw OutputError(description: "cannot write \(path): \(String(cString: strerror(err)))")
    }
    if !special, rename(target, path) != 0 {
        let err = errno
        unlink(target)
        throw OutputError(description: "cannot write \(path): \(String(cString: strerror(err)))")
    }
}

/// What a fleet run keeps of one partner once its reports are written.
struct FleetRow: Sendable {
    var row: FleetSummary.Row
    var failsCondition: Bool
    var writeError: String?
}

/// Where the bundled example snapshot lives: next to a source checkout's
/// build folder, or installed under share/secscore.
enum BundledExample {
    static let name = "fabrikam-distributor"

    static func path() throws -> String {
        let exe = PluginDiscovery.executableDirectory() ?? "."
        let candidates = [
            exe + "/../../../Examples/snapshots/" + name,  // .build/<triple>/<config>/secscore
            exe + "/../../Examples/snapshots/" + name,  // .build/<config>/secscore
            exe + "/../share/secscore/examples/" + name,
            exe + "/../../share/secscore/examples/" + name,  // PREFIX/libexec/secscore/secscore (make install)
        ]
        for candidate in candidates {
            var st = stat()
            if stat(candidate, &st) == 0 { return candidate }
        }
        throw ValidationError("the bundled example snapshot is not installed; pass a SNAPSHOT_DIR")
    }
}
