import ArgumentParser
import Synchronization
import Glibc
import PluginCheckRunner
import PluginHost
import SecScoreHistory
import SecScoreEngine
import SecScoreModel
import SecScoreReports
import TenantSnapshot

/// What a fleet run keeps of one partner once its reports are written.
struct FleetRow: Sendable {
    var row: FleetSummary.Row
    var verdict: RunVerdict
    var writeError: String?
    /// What changed since the partner's last recorded run (`--history`).
    var history: ReportHistory?
}

extension EvaluateCommand {
    /// `--fleet`: every subfolder is a partner; one plugin set serves them all.
    func runFleet(_ directory: String, recorder: HistoryRecorder?) async throws {
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
        // Each snapshot's digest, taken when it is loaded, for the history.
        let digests = Mutex<[String: String]>([:])
        let partners = folders.map { folder in
            FleetPartner(name: folder.name) {
                let snapshot = try SnapshotLoader.load(directory: folder.path)
                if recorder != nil {
                    let digest = SnapshotDigest.of(snapshot)
                    digests.withLock { $0[folder.name] = digest }
                }
                return snapshot
            }
        }
        let renderer = renderer(terminal: false)
        let rows = await FleetEvaluator.evaluate(
            partners, catalog: catalog, options: options, runner: PluginCheckRunner(set),
            handle: { [reportDir, failOn] entry in
                switch entry.outcome {
                case .success(let report):
                    let row = FleetSummary.Row(name: entry.name, report: report)
                    let verdict = Scoring.verdict(report, failOn: failOn)
                    var renderer = renderer
                    do throws(CommandFailure) {
                        if let recorder {
                            let digest = digests.withLock { $0.removeValue(forKey: entry.name) } ?? ""
                            renderer.history = try await recorder.record(report, folder: entry.name, digest: digest)
                        }
                        for format in formats {
                            guard let reportDir else { break }
                            try writeFile("\(reportDir)/\(entry.name).\(format.fileExtension)") { renderer.write(report, as: format, to: $0) }
                        }
                    } catch {
                        return FleetRow(row: row, verdict: verdict, writeError: error.description, history: renderer.history)
                    }
                    return FleetRow(row: row, verdict: verdict, history: renderer.history)
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
        if let reportDir {
            let entries = rows.map { r in
                FleetOverview.Entry(row: r.row, history: r.history,
                                    reports: r.row.failure != nil ? [] : formats.map { "\(r.row.name).\($0.fileExtension)" })
            }
            try writeFile("\(reportDir)/index.html", FleetOverview.html(entries))
            try writeFile("\(reportDir)/index.md", FleetOverview.markdown(entries))
        }
        // Reports that could not be written: nothing to show for the run.
        if rows.contains(where: { $0.writeError != nil }) { throw ExitCode(2) }
        let verdict = RunVerdict.worst(rows.map(\.verdict))
        if verdict != .passed { throw verdict.exitCode }
    }
}
