import ArgumentParser
import Glibc
import SecScoreSynth
import TenantSnapshot

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a synthetic tenant snapshot (or a fleet of them) of any size, to try secscore on big tenants.",
        discussion: "Deterministic: the same seed and sizes give the same files. Alerts fall in the 30 days before --as-of.")

    @Argument(help: "The folder to write (created if missing).")
    var output: String

    @Option(help: "Admin users (one in ten only PIM-eligible).") var admins = 5
    @Option(help: "Users, admins included.") var users = 50
    @Option(help: "Conditional Access policies.") var policies = 4
    @Option(help: "Security alerts in the last 30 days.") var alerts = 10
    @Option(help: "Customers.") var customers = 10
    @Option(help: "Azure subscriptions, spread over the customers.") var subscriptions = 20
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Place alerts before this day (YYYY-MM-DD).", valueName: "DATE")) var asOf = "2025-11-15"
    @Option(help: "Write N partner snapshots into OUTPUT (for --fleet), seeds seed..seed+N-1.") var fleet: Int?

    func validate() throws {
        for (name, value) in [("admins", admins), ("users", users), ("policies", policies), ("alerts", alerts),
                              ("customers", customers), ("subscriptions", subscriptions)] where value < 0 {
            throw ValidationError("--\(name) must be 0 or more")
        }
        if admins < 1 { throw ValidationError("--admins must be at least 1: every tenant has a Global Administrator") }
        if let fleet, fleet < 1 { throw ValidationError("--fleet must be at least 1") }
        if CivilDate(asOf) == nil { throw ValidationError("--as-of must be a date YYYY-MM-DD, not \"\(asOf)\"") }
    }

    func run() throws {
        let size = SynthSize(admins: admins, users: users, policies: policies, alerts: alerts, customers: customers, subscriptions: subscriptions)
        let now = CivilDate(asOf)!.startUnixMillis + 86_400_000 - 1
        if let fleet {
            SnapshotSynthesizer.makeDirectories(output)
            for i in 0..<fleet {
                let s = seed + UInt64(i)
                let name = "partner-" + String(repeating: "0", count: max(0, 5 - String(i).count)) + String(i)
                try SnapshotSynthesizer(size: size, seed: s, nowUnixMillis: now).write(to: output + "/" + name, name: "Partner \(i)")
            }
            print("wrote \(fleet) snapshots to \(output)")
        } else {
            try SnapshotSynthesizer(size: size, seed: seed, nowUnixMillis: now).write(to: output)
            print("wrote \(output)")
        }
    }
}
