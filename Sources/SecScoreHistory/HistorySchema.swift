import GRDB

/// The history database's schema, as versioned migrations. A migration is
/// never edited once released: a change is a new migration, so a database
/// written by any earlier secscore opens and upgrades in place.
enum HistorySchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        // v1: our evaluations, per requirement, with the facts behind the
        // insights (evidence items and metrics).
        migrator.registerMigration("v1") { db in
            try db.create(table: "evaluation") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("recordedAtMs", .integer).notNull()
                t.column("asOf", .text).notNull()  // YYYY-MM-DD
                t.column("partner", .text).notNull()  // the partner's key: its tenant id, else its name
                t.column("partnerName", .text).notNull()
                t.column("tenantId", .text).notNull()
                t.column("partnerType", .text).notNull()
                t.column("edition", .text).notNull()
                t.column("score", .double)  // NULL: nothing applies
                t.column("earnedPoints", .integer).notNull()
                t.column("maxPoints", .integer).notNull()
                t.column("authorization", .text).notNull()
                t.column("snapshotDigest", .text).notNull()
                t.column("toolVersion", .text).notNull()
            }
            try db.create(index: "evaluationByPartner", on: "evaluation", columns: ["partner", "asOf", "id"])
            try db.create(table: "requirementResult") { t in
                t.column("evaluationId", .integer).notNull().references("evaluation", onDelete: .cascade)
                t.column("requirementId", .text).notNull()
                t.column("title", .text).notNull()
                t.column("type", .text)  // mandatory | recommended | NULL (untyped editions)
                t.column("status", .text).notNull()  // completed | notCompleted | notApplicable | error
                t.column("points", .integer).notNull()
                t.column("maxPoints", .integer).notNull()
                t.column("future", .boolean).notNull()
                t.column("reason", .text)
                t.column("insights", .text).notNull()  // JSON array of strings
                t.primaryKey(["evaluationId", "requirementId"])
            }
            try db.create(table: "evidenceItem") { t in
                t.column("evaluationId", .integer).notNull().references("evaluation", onDelete: .cascade)
                t.column("requirementId", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("itemId", .text).notNull()
                t.column("name", .text).notNull()
                t.column("status", .text).notNull()
                t.column("reasons", .text).notNull()  // JSON array of strings
            }
            try db.create(index: "evidenceByEvaluation", on: "evidenceItem", columns: ["evaluationId", "requirementId"])
            try db.create(table: "metric") { t in
                t.column("evaluationId", .integer).notNull().references("evaluation", onDelete: .cascade)
                t.column("requirementId", .text).notNull()
                t.column("name", .text).notNull()
                t.column("value", .double).notNull()
                t.column("unit", .text).notNull()
            }
            try db.create(index: "metricByEvaluation", on: "metric", columns: ["evaluationId", "requirementId"])
        }
        // v2: Microsoft's own partner security score beside ours (Graph beta
        // security/partner/securityScore and its history), per evaluation.
        migrator.registerMigration("v2") { db in
            try db.create(table: "microsoftScore") { t in
                t.column("evaluationId", .integer).notNull().references("evaluation", onDelete: .cascade)
                t.column("refreshedAtMs", .integer)
                t.column("score", .double)
                t.column("maxScore", .double)
                t.primaryKey(["evaluationId"])
            }
            try db.create(table: "microsoftScoreHistory") { t in
                t.column("partner", .text).notNull()
                t.column("recordedAtMs", .integer).notNull()
                t.column("score", .double).notNull()
                t.primaryKey(["partner", "recordedAtMs"], onConflict: .replace)
            }
        }
        return migrator
    }
}
