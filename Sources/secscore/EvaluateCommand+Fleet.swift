import ArgumentParser
import Glibc
import PluginCheckRunner
import PluginHost
import SecScoreEngine
import SecScoreModel
import SecScoreReports
import TenantSnapshot

/// What a fleet run keeps of one partner once its reports are written.
struct FleetRow: Sendable {
    var row: FleetSummary.Row
    var verdict: RunVerdict
    var writeError: String?
}

extension EvaluateCommand {
    /// `--fleet`: every subfolder is a partner; one plugin set serves them all.
    func runFleet(_ directory: String) async throws {
        let catalog = try catalogOptions.loadCatalog()
        let folders: [(name: String, path: String)]
        do {
            folders = try FleetDirectory.snapshotFolders(in: directory)
        } catch {
            throw CommandFailure("\(error)")
        }
        if folders.isEmpty { throw CommandFailure("\(directory): no snapshot folders in the fleet directory") }
        let options = evaluationOptions()
        let set = try await launchPlugins(options, catalog: catalog)
        let showProgress = isatty(2) != 0
        if let reportDir { mkdir(reportDir, 0o755) }
        let formats = format.isEmpty ? [ReportFormat.json] : format
        let partners = folders.map { folder in
            FleetPartner(name: folder.name) { try SnapshotLoader.load(directory: folder.path) }
        }
        let renderer = renderer(terminal: false)
        let rows = await FleetEvaluator.evaluate(
            partners, catalog: catalog, options: options, runner: PluginCheckRunner(set),
            handle: { [reportDir, failOn] entry in
                switch entry.outcome {
                case .success(let report):
                    let row = FleetSummary.Row(name: entry.name, report: report)
                    let verdict = Scoring.verdict(report, failOn: failOn)
                    for format in formats {
                        guard let reportDir else { break }
                        do throws(CommandFailure) {
                            try writeFile("\(reportDir)/\(entry.name).\(format.fileExtension)", renderer.render(report, as: format))
                        } catch {
                            return FleetRow(row: row, verdict: verdict, writeError: error.description)
                        }
                    }
                    return FleetRow(row: row, verdict: verdict)
                case .failure(let error):
                    let text = error.evaluationError.map(Self.withHint) ?? error.description
                    return FleetRow(row: FleetSummary.Row(name: entry.name, failure: text), verdict: .couldNotCheck)
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
        for row in rows { if let e = row.writeError { printError(e) } }
        print(FleetSummary.render(rows.map(\.row)), terminator: "")
        if let summary { try writeFile(summary, FleetSummary.renderJSON(rows.map(\.row), restarts: restarts)) }
        // Reports that could not be written: nothing to show for the run.
        if rows.contains(where: { $0.writeError != nil }) { throw ExitCode(2) }
        let verdict = RunVerdict.worst(rows.map(\.verdict))
        if verdict != .passed { throw verdict.exitCode }
    }
}
