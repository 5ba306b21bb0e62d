import ArgumentParser
import SecScoreHistory
import SecScoreModel
import SecScoreReports
import TenantSnapshot

/// `--history`: records each evaluation and gives its reports what changed
/// since the partner's last run. One per run; fleets record from several
/// tasks at once (the store serialises writers).
struct HistoryRecorder: Sendable {
    let store: HistoryStore

    /// Opens the database before anything runs, so a bad file costs no
    /// evaluation.
    /// - Throws: `CommandFailure` (exit 2); the file is left as it is.
    init(path: String) throws(CommandFailure) {
        do {
            store = try HistoryStore(path: path)
        } catch {
            throw CommandFailure("error: \(error)")
        }
    }

    /// Records `report` and returns what its reports show of the history.
    /// - Parameter folder: the snapshot folder's name, the partner's key and
    ///   name when the snapshot does not say them.
    func record(_ report: EvaluationReport, folder: String, digest: String) async throws(CommandFailure) -> ReportHistory {
        let key = report.partner.tenantID.isEmpty ? folder : report.partner.tenantID
        let name = report.partner.displayName.isEmpty ? folder : report.partner.displayName
        do {
            let id = try await store.record(
                report, partner: key, partnerName: name, snapshotDigest: digest,
                recordedAtMs: nowMillis(), toolVersion: SecScoreCommand.configuration.version)
            guard let context = try store.context(ofEvaluation: id) else {
                throw CommandFailure("error: \(store.path): the evaluation just recorded cannot be read back")
            }
            return Self.reportHistory(context)
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure("error: \(error)")
        }
    }

    static func reportHistory(_ context: HistoryContext, days: Int = 90) -> ReportHistory {
        ReportHistory(
            previousAsOf: context.previous?.asOf, changes: context.changes.map(\.text),
            trend: context.trend.map { ReportHistory.Point(asOf: $0.asOf, score: $0.score) }, days: days)
    }
}

/// The last path component of a folder, for a partner's key and name.
func folderName(_ path: String) -> String {
    let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
    return trimmed.split(separator: "/").last.map(String.init) ?? trimmed
}
