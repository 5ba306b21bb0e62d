import Foundation
import GRDB
package import SecScoreModel
import SecScoreWire
import TenantSnapshot

/// The history database: every evaluation recorded in SQLite, in WAL mode,
/// one transaction per evaluation, so a fleet's partners can be recorded
/// from several tasks (and several secscore processes) at once and a crash
/// loses nothing already committed.
package final class HistoryStore: Sendable {
    /// The database file's path as given.
    package let path: String
    let pool: DatabasePool

    /// Opens (or creates) the database at `path` and brings its schema up to
    /// date. A file that is not a secscore history database is left
    /// untouched.
    /// - Throws: `HistoryError` (`.cannotOpen`, `.notADatabase`, `.newerSchema`).
    package init(path: String) throws(HistoryError) {
        self.path = path
        var configuration = Configuration()
        // Writers from parallel partners or processes wait their turn.
        configuration.busyMode = .timeout(30)
        configuration.label = "secscore-history"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw Self.openError(error, path: path)
        }
        let migrator = HistorySchema.migrator
        do {
            if try pool.read({ db in try migrator.hasBeenSuperseded(db) }) {
                throw HistoryError(.newerSchema, file: path, "was written by a newer secscore (its schema has migrations this version does not know); use that version, or another --history file")
            }
            try migrator.migrate(pool)
        } catch let error as HistoryError {
            throw error
        } catch {
            throw Self.openError(error, path: path)
        }
    }

    static func openError(_ error: any Error, path: String) -> HistoryError {
        if let e = error as? DatabaseError, e.resultCode == .SQLITE_NOTADB || e.resultCode == .SQLITE_CORRUPT {
            return HistoryError(.notADatabase, file: path, "is not a secscore history database (SQLite says: \(e.message ?? "file is not a database")); it was left as it is: pass another --history file")
        }
        if let e = error as? DatabaseError, e.resultCode == .SQLITE_CANTOPEN {
            return HistoryError(.cannotOpen, file: path, "cannot be opened or created: \(e.message ?? "unable to open database file")")
        }
        return HistoryError(.cannotOpen, file: path, "cannot be used: \(error)")
    }

    // MARK: Recording

    /// Records one evaluation with every requirement, evidence item and
    /// metric, in one transaction: all of it or nothing.
    /// - Parameters:
    ///   - partner: the partner's key (its tenant id, else its name).
    ///   - partnerName: the name shown (the display name, else the folder).
    ///   - snapshotDigest: `SnapshotDigest.of(_:)` of what was evaluated.
    ///   - recordedAtMs: now, Unix milliseconds.
    /// - Returns: the evaluation's id.
    /// - Throws: `HistoryError.writeFailed`.
    @discardableResult
    package func record(
        _ report: EvaluationReport, partner: String, partnerName: String, snapshotDigest: String,
        recordedAtMs: Int64, toolVersion: String
    ) async throws(HistoryError) -> Int64 {
        do {
            return try await pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO evaluation (recordedAtMs, asOf, partner, partnerName, tenantId, partnerType, edition,
                          score, earnedPoints, maxPoints, authorization, snapshotDigest, toolVersion)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [recordedAtMs, report.asOf.description, partner, partnerName, report.partner.tenantID,
                                report.partnerType.rawValue, report.edition.id, report.score, report.earnedPoints,
                                report.maxPoints, report.eligibility.label, snapshotDigest, toolVersion])
                let id = db.lastInsertedRowID
                for (result, future) in report.requirements.map({ ($0, false) }) + report.futureRequirements.map({ ($0, true) }) {
                    let rid = result.requirement.id
                    try db.execute(
                        sql: """
                            INSERT INTO requirementResult (evaluationId, requirementId, title, type, status, points, maxPoints, future, reason, insights)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [id, rid, result.requirement.title, result.requirement.type?.rawValue, result.status.rawValue,
                                    result.points, result.maxPoints, future, result.reason, Self.json(result.insights)])
                    for item in result.evidence.items {
                        try db.execute(
                            sql: "INSERT INTO evidenceItem (evaluationId, requirementId, kind, itemId, name, status, reasons) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            arguments: [id, rid, item.kind, item.id, item.name, item.status, Self.json(item.reasons)])
                    }
                    for metric in result.evidence.metrics {
                        try db.execute(
                            sql: "INSERT INTO metric (evaluationId, requirementId, name, value, unit) VALUES (?, ?, ?, ?, ?)",
                            arguments: [id, rid, metric.name, metric.value, metric.unit])
                    }
                }
                // Partner Center's own score, and its history, beside ours.
                if let microsoft = report.reconciliation {
                    let refreshed = microsoft.refreshed.flatMap(CivilDate.init).map(\.startUnixMillis)
                    try db.execute(
                        sql: "INSERT INTO microsoftScore (evaluationId, refreshedAtMs, score, maxScore) VALUES (?, ?, ?, ?)",
                        arguments: [id, refreshed, microsoft.microsoftScore, microsoft.microsoftMaxScore])
                    for point in microsoft.history {
                        guard let day = CivilDate(point.day) else { continue }
                        try db.execute(
                            sql: "INSERT OR REPLACE INTO microsoftScoreHistory (partner, recordedAtMs, score) VALUES (?, ?, ?)",
                            arguments: [partner, day.startUnixMillis, point.score])
                    }
                }
                return id
            }
        } catch {
            throw HistoryError(.writeFailed, file: path, "cannot record the evaluation of \(partner): \(error)")
        }
    }

    // MARK: Reading

    /// The key of the partner `text` names: its key or tenant id, its name
    /// (any case), or else a part of one name that only one partner has.
    /// - Returns: the key, or nil when nothing matches.
    /// - Throws: `HistoryError.readFailed`, or `.ambiguousPartner` naming
    ///   every match.
    package func partnerKey(for text: String) throws(HistoryError) -> String? {
        let all = try read { db in
            try Row.fetchAll(db, sql: "SELECT DISTINCT partner, tenantId, partnerName FROM evaluation")
                .map { (key: $0["partner"] as String, tenant: $0["tenantId"] as String, name: $0["partnerName"] as String) }
        }
        let needle = text.lowercased()
        if let exact = all.first(where: { $0.key == text || $0.tenant == text || $0.name.lowercased() == needle }) {
            return exact.key
        }
        let partial = Set(all.filter { $0.name.lowercased().contains(needle) || $0.key.lowercased().contains(needle) }.map(\.key))
        if partial.count > 1 {
            let names = all.filter { partial.contains($0.key) }.map { "\($0.name) (\($0.key))" }
            throw HistoryError(.ambiguousPartner, file: path, "\"\(text)\" names several partners: \(Set(names).sorted().joined(separator: ", ")); give a tenant id")
        }
        return partial.first
    }

    /// Every recorded evaluation of the partner whose key is `partner`
    /// (`partnerKey(for:)` finds it from a name), oldest first, as
    /// summaries (no requirements). Uses the (partner, asOf) index.
    /// - Parameter sinceAsOf: only those as of this day (YYYY-MM-DD) or later.
    /// - Throws: `HistoryError.readFailed`.
    package func evaluations(of partner: String, sinceAsOf: String? = nil) throws(HistoryError) -> [RecordedEvaluation] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT evaluation.*, microsoftScore.score AS microsoftScore FROM evaluation
                    LEFT JOIN microsoftScore ON microsoftScore.evaluationId = evaluation.id
                    WHERE partner = ?1 AND asOf >= ?2
                    ORDER BY asOf, recordedAtMs, id
                    """,
                arguments: [partner, sinceAsOf ?? ""]
            ).map(Self.evaluation)
        }
    }

    /// Every partner with recorded evaluations: key, latest name, count.
    package func partners() throws(HistoryError) -> [(partner: String, name: String, evaluations: Int)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT partner, COUNT(*) AS n,
                      (SELECT partnerName FROM evaluation e2 WHERE e2.partner = e.partner ORDER BY id DESC LIMIT 1) AS name
                    FROM evaluation e GROUP BY partner ORDER BY partner
                    """
            ).map { (partner: $0["partner"], name: $0["name"], evaluations: $0["n"]) }
        }
    }

    /// The evaluation with `id`, with every requirement, item and metric.
    package func evaluation(id: Int64) throws(HistoryError) -> RecordedEvaluation? {
        try read { db in
            guard let row = try Row.fetchOne(
                db,
                sql: "SELECT evaluation.*, microsoftScore.score AS microsoftScore FROM evaluation LEFT JOIN microsoftScore ON microsoftScore.evaluationId = evaluation.id WHERE id = ?",
                arguments: [id]) else { return nil }
            var evaluation = Self.evaluation(row)
            var requirements = try Row.fetchAll(
                db, sql: "SELECT * FROM requirementResult WHERE evaluationId = ? ORDER BY rowid", arguments: [id]
            ).map { r in
                RecordedRequirement(
                    id: r["requirementId"], title: r["title"], type: r["type"], status: r["status"], points: r["points"],
                    maxPoints: r["maxPoints"], future: r["future"], reason: r["reason"], insights: Self.strings(r["insights"]))
            }
            let index = Dictionary(requirements.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
            for r in try Row.fetchAll(db, sql: "SELECT * FROM evidenceItem WHERE evaluationId = ? ORDER BY rowid", arguments: [id]) {
                guard let i = index[r["requirementId"]] else { continue }
                requirements[i].items.append(RecordedItem(kind: r["kind"], id: r["itemId"], name: r["name"], status: r["status"], reasons: Self.strings(r["reasons"])))
            }
            for r in try Row.fetchAll(db, sql: "SELECT * FROM metric WHERE evaluationId = ? ORDER BY rowid", arguments: [id]) {
                guard let i = index[r["requirementId"]] else { continue }
                requirements[i].metrics.append(RecordedMetric(name: r["name"], value: r["value"], unit: r["unit"]))
            }
            evaluation.requirements = requirements
            return evaluation
        }
    }

    func read<T>(_ body: @Sendable (Database) throws -> T) throws(HistoryError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw HistoryError(.readFailed, file: path, "cannot read the history: \(error)")
        }
    }

    static func evaluation(_ row: Row) -> RecordedEvaluation {
        RecordedEvaluation(
            id: row["id"], recordedAtMs: row["recordedAtMs"], asOf: row["asOf"], partner: row["partner"],
            partnerName: row["partnerName"], tenantID: row["tenantId"], partnerType: row["partnerType"],
            edition: row["edition"], score: row["score"], earnedPoints: row["earnedPoints"], maxPoints: row["maxPoints"],
            authorization: row["authorization"], snapshotDigest: row["snapshotDigest"], microsoftScore: row["microsoftScore"])
    }

    static func json(_ strings: [String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: strings)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func strings(_ text: String?) -> [String] {
        guard let text, let value = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else { return [] }
        return value
    }
}
