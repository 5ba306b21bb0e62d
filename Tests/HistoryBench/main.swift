// secscore-history-bench: records a fleet's evaluations over daily runs into
// a history database and queries it, printing time per run, query times and
// the database's size (BENCHMARKS.md, issue 13).
//
// Usage: secscore-history-bench [--partners N] [--days D] [--db PATH]
import Foundation
import SecScoreHistory
import SecScoreModel
import SecScoreWire
import TenantSnapshot

var partners = 1000
var days = 90
var db = NSTemporaryDirectory() + "secscore-history-bench-\(getpid()).sqlite"
var queryOnly = false
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let a = arguments.next() {
    switch a {
    case "--partners": partners = Int(arguments.next() ?? "") ?? partners
    case "--days": days = Int(arguments.next() ?? "") ?? days
    case "--db": db = arguments.next() ?? db
    case "--query-only": queryOnly = true  // an existing database: queries only
    default: FileHandle.standardError.write(Data("unknown argument \(a)\n".utf8)); exit(2)
    }
}

let catalog = try CatalogLoader.builtIn()
let edition = catalog.edition(named: "2025-10")!
let start = CivilDate("2025-08-01")!

/// A deterministic partner-day: statuses, 5 admins and 3 customers whose
/// states drift over the days, the way real tenants change.
func report(partner: Int, day: Int) -> EvaluationReport {
    let asOf = CivilDate(unixMillis: start.startUnixMillis + Int64(day) * 86_400_000)
    var seed = UInt64(partner &* 2_654_435_761 &+ day / 7)
    func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
    let rows = edition.requirements.map { requirement -> RequirementResult in
        var f = Secscore_Plugin_V1_Finding()
        f.status = next() % 4 == 0 ? .notCompliant : .compliant
        f.insights = ["\(requirement.id) insight for partner \(partner)"]
        switch requirement.id {
        case "mfaEnforcedForAdmins":
            f.evidence.items = (0..<5).map { i in
                let ok = next() % 5 != 0
                return Secscore_Plugin_V1_EvidenceItem(kind: "admin", id: "admin-\(partner)-\(i)", name: "admin\(i)@partner\(partner).example",
                                                       status: ok ? "compliant" : "notCompliant", reasons: ok ? [] : ["excluded from policy 'Require MFA'"], attributes: [])
            }
        case "spendingBudgetSetForCustomerAzureSubscriptions", "mfaEnforcedForAdminsOfCustomers":
            f.evidence.items = (0..<3).map { i in
                Secscore_Plugin_V1_EvidenceItem(kind: "customer", id: "customer-\(partner)-\(i)", name: "Customer \(i)",
                                                status: next() % 3 == 0 ? "noBudget" : "compliant", reasons: [], attributes: [])
            }
        default:
            var m = Secscore_Plugin_V1_Metric()
            m.name = "averageResponseHours"
            m.value = Double(next() % 48)
            f.evidence.metrics = [m]
        }
        return Scoring.result(of: f, for: requirement, plugin: "bench")
    }
    let profile = PartnerProfile(tenantID: "tenant-\(partner)", displayName: "Partner \(partner)", partnerType: .directBill)
    return EvaluationReport(edition: edition, asOf: asOf, partner: profile, partnerType: .directBill, requirements: rows, futureRequirements: [])
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

let partnerCount = partners
let store = try HistoryStore(path: db)
let clock = ContinuousClock()
var runTimes: [Double] = []
print("recording \(partners) partners x \(days) daily runs into \(db)")
for day in 0..<(queryOnly ? 0 : days) {
    let began = clock.now
    // A fleet run records its partners from several tasks at once.
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<8 {
            group.addTask {
                for partner in stride(from: worker, to: partnerCount, by: 8) {
                    let r = report(partner: partner, day: day)
                    try await store.record(r, partner: "tenant-\(partner)", partnerName: "Partner \(partner)",
                                           snapshotDigest: "digest-\(partner)-\(day)", recordedAtMs: Int64(day) * 86_400_000, toolVersion: "bench")
                }
            }
        }
        try await group.waitForAll()
    }
    runTimes.append(seconds(clock.now - began))
    if day % 10 == 9 || day == days - 1 {
        print("day \(day + 1): run took \(String(format: "%.2f", runTimes.last!)) s")
    }
}
let sorted = runTimes.isEmpty ? [0] : runTimes.sorted()
let size = ((try? FileManager.default.attributesOfItem(atPath: db)[.size] as? Int) ?? 0)
    + ((try? FileManager.default.attributesOfItem(atPath: db + "-wal")[.size] as? Int) ?? 0)

// Queries a user makes: one partner's trend, what changed in its last run,
// the report context of a fresh evaluation.
var trendTimes: [Double] = [], changeTimes: [Double] = []
for partner in stride(from: 0, to: partners, by: max(1, partners / 50)) {
    var began = clock.now
    let runs = try store.evaluations(of: "tenant-\(partner)")
    trendTimes.append(seconds(clock.now - began))
    began = clock.now
    if let context = try store.context(ofEvaluation: runs.last!.id) { _ = context.changes.count }
    changeTimes.append(seconds(clock.now - began))
}
func ms(_ v: Double) -> String { String(format: "%.2f ms", v * 1000) }
print("""
    partners \(partners), days \(days), evaluations \(partners * days)
    time per daily fleet run: median \(String(format: "%.2f", sorted[sorted.count / 2])) s, slowest \(String(format: "%.2f", sorted.last!)) s, first \(String(format: "%.2f", runTimes.first ?? 0)) s, last \(String(format: "%.2f", runTimes.last ?? 0)) s
    per evaluation recorded: \(ms(sorted[sorted.count / 2] / Double(partners)))
    database size: \(size / 1_048_576) MiB (\(size / max(1, partners * days)) bytes per evaluation)
    one partner's trend (\(days) runs): median \(ms(trendTimes.sorted()[trendTimes.count / 2]))
    what changed in its last run (report context, 90-day trend): median \(ms(changeTimes.sorted()[changeTimes.count / 2]))
    """)
