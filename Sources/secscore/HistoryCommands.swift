import ArgumentParser
import SecScoreHistory
import SecScoreModel
import TenantSnapshot

/// `secscore history`: the partners a history database holds, or one
/// partner's trend.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Print the partners recorded in a history database, or one partner's trend.",
        discussion: "The database is written by `secscore evaluate --history FILE` (and with --fleet).")

    @Option(help: ArgumentHelp("The history database.", valueName: "FILE"))
    var history: String

    @Argument(help: ArgumentHelp("A partner: its tenant id or name (default: list every partner).", valueName: "PARTNER"))
    var partner: String?

    @Option(help: ArgumentHelp("Only runs as of this many days before the latest one.", valueName: "DAYS"))
    var days: Int?

    func run() throws {
        let store = try HistoryRecorder(path: history).store
        do {
            guard let partner else {
                let partners = try store.partners()
                if partners.isEmpty { print("No evaluations recorded in \(history) yet.") }
                for p in partners { print("\(p.partner)  \(p.name)  \(p.evaluations) run\(p.evaluations == 1 ? "" : "s")") }
                return
            }
            var runs = try recordedRuns(of: partner, in: store, path: history)
            if let days, let last = runs.last.flatMap({ CivilDate($0.asOf) }) {
                let start = CivilDate(unixMillis: last.startUnixMillis - Int64(days) * 86_400_000).description
                runs = runs.filter { $0.asOf >= start }
            }
            print("\(runs[0].partnerName) (\(runs[0].partner)): \(runs.count) run\(runs.count == 1 ? "" : "s")")
            print("AS OF       RUN   SCORE    POINTS  CSP AUTH      EDITION  SNAPSHOT      PARTNER CENTER")
            var previous: Double?
            for run in runs {
                var delta = ""
                if let before = previous, let now = run.score, before != now {
                    delta = now > before ? "  +\(Scoring.format(now - before))" : "  -\(Scoring.format(before - now))"
                }
                print("\(run.asOf)  \(String(run.id).padding(4))  \(Scoring.format(run.score).padding(7))  \("\(run.earnedPoints)/\(run.maxPoints)".padding(6))  \(run.authorization.padding(12))  \(run.edition.padding(7))  \(String(run.snapshotDigest.prefix(12)).padding(12))  \(run.microsoftScore.map(Scoring.format) ?? "-")\(delta)")
                previous = run.score
            }
        } catch let error as HistoryError {
            throw CommandFailure("error: \(error)")
        }
    }
}

/// `secscore changes`: what changed between two runs of a partner.
struct ChangesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "Say what changed between two recorded runs of a partner (default: the last two).")

    @Option(help: ArgumentHelp("The history database.", valueName: "FILE"))
    var history: String

    @Argument(help: ArgumentHelp("A partner: its tenant id or name.", valueName: "PARTNER"))
    var partner: String

    @Option(help: ArgumentHelp("Compare from this run (the RUN column of `secscore history`).", valueName: "RUN"))
    var from: Int64?

    @Option(help: ArgumentHelp("Compare to this run (default: the latest).", valueName: "RUN"))
    var to: Int64?

    func run() throws {
        let store = try HistoryRecorder(path: history).store
        do {
            let runs = try recordedRuns(of: partner, in: store, path: history)
            let toID = to ?? runs.last!.id
            guard let toIndex = runs.firstIndex(where: { $0.id == toID }) else {
                throw CommandFailure("error: run \(toID) is not a run of \"\(partner)\"; `secscore history --history \(history) \(partner)` lists them")
            }
            let fromID: Int64
            if let from {
                guard runs.contains(where: { $0.id == from }) else {
                    throw CommandFailure("error: run \(from) is not a run of \"\(partner)\"; `secscore history --history \(history) \(partner)` lists them")
                }
                fromID = from
            } else {
                guard toIndex > 0 else {
                    print("Run \(toID) (as of \(runs[toIndex].asOf)) is the first recorded run of \(runs[toIndex].partnerName): nothing to compare with.")
                    return
                }
                fromID = runs[toIndex - 1].id
            }
            guard let old = try store.evaluation(id: fromID), let new = try store.evaluation(id: toID) else { return }
            let changes = ChangeSet.between(old, new)
            print("\(new.partnerName): run \(old.id) (as of \(old.asOf)) → run \(new.id) (as of \(new.asOf))")
            if old.snapshotDigest == new.snapshotDigest { print("Same snapshot data (digest \(new.snapshotDigest.prefix(12))).") }
            if changes.isEmpty { print("Nothing changed.") }
            for change in changes { print("- \(change.text)") }
        } catch let error as HistoryError {
            throw CommandFailure("error: \(error)")
        }
    }
}

/// The runs of the partner `text` names, oldest first.
/// - Throws: `CommandFailure` when it names none; `HistoryError` when the
///   database cannot be read or the name is ambiguous.
func recordedRuns(of text: String, in store: HistoryStore, path: String) throws -> [RecordedEvaluation] {
    let runs = try store.partnerKey(for: text).map { key throws(HistoryError) in try store.evaluations(of: key) } ?? []
    if runs.isEmpty {
        throw CommandFailure("error: \(path) has no evaluation of \"\(text)\"; `secscore history --history \(path)` lists the partners")
    }
    return runs
}
