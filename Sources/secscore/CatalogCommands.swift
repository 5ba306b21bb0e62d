import ArgumentParser
import SecScoreModel
import TenantSnapshot

/// Options shared by the commands that read the catalog.
struct CatalogOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Use this requirement catalog instead of the built-in one.", valueName: "FILE"))
    var catalog: String?

    @Option(help: ArgumentHelp("Use this catalog edition (e.g. 2025-10 or 2024) instead of the one in force (today, or on --as-of).", valueName: "ID"))
    var edition: String?

    /// The catalog file, or the built-in catalog.
    /// - Throws: `CommandFailure` with the file, JSON path and expectation.
    func loadCatalog() throws(CommandFailure) -> Catalog { try Self.loadCatalog(at: catalog) }

    /// The catalog file at `path`, or the built-in catalog when nil.
    static func loadCatalog(at path: String?) throws(CommandFailure) -> Catalog {
        do {
            return try path.map { path throws(SnapshotError) in try CatalogLoader.load(path: path) } ?? CatalogLoader.builtIn()
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    /// The catalog and the edition asked for, or the one in force today.
    func load() throws -> (Catalog, Edition) {
        let c = try loadCatalog()
        if let edition {
            guard let e = c.edition(named: edition) else {
                throw ValidationError("unknown edition \"\(edition)\"; the catalog has \(c.editions.map(\.id).joined(separator: ", "))")
            }
            return (c, e)
        }
        return (c, c.edition(inForceOn: CivilDate(unixMillis: nowMillis())))
    }
}

struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Print the requirements of a catalog edition: type, points, applicability.")

    @OptionGroup var options: CatalogOptions

    func run() throws {
        let (catalog, edition) = try options.load()
        print("Edition \(edition.id): \(edition.title) (in force from \(edition.effectiveDate))")
        print("Other editions: \(catalog.editions.filter { $0.id != edition.id }.map(\.id).joined(separator: ", "))")
        print("")
        let idWidth = edition.requirements.map(\.id.count).max() ?? 10
        for r in edition.requirements {
            let type = r.type?.rawValue ?? "-"
            let applies = r.applicablePartnerTypes.map(\.rawValue).sorted().joined(separator: ", ")
            let state = r.isPreview ? " (preview)" : (r.effectiveDate > edition.effectiveDate ? " (from \(r.effectiveDate))" : "")
            print("\(r.id.padding(idWidth))  \(type.padding(11))  \(String(r.maxPoints).padding(2, left: true)) points  \(r.title)\(state)")
            print("\("".padding(idWidth))  applies to: \(applies)")
        }
        let total = edition.requirements.filter { !$0.isPreview }.reduce(0) { $0 + $1.maxPoints }
        print("")
        print("Maximum: \(total) points when every requirement applies. Score = earned / maximum of the applicable requirements x 100.")
    }
}

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain one requirement: what it asks, how secscore decides it, where to fix it.")

    @Argument(help: "A requirement id, e.g. mfaEnforcedForAdmins.")
    var requirement: String

    @OptionGroup var options: CatalogOptions

    func run() throws {
        let (_, edition) = try options.load()
        guard let r = edition.requirements.first(where: { $0.id == requirement }) else {
            throw ValidationError("edition \(edition.id) has no requirement \"\(requirement)\"; it has \(edition.requirements.map(\.id).joined(separator: ", "))")
        }
        print("\(r.title)  [\(r.id)]")
        print("Edition \(edition.id) · \(r.type?.rawValue ?? "untyped") · \(r.maxPoints) points · applies to \(r.applicablePartnerTypes.map(\.rawValue).sorted().joined(separator: ", "))")
        print("")
        print(r.description)
        if !r.rules.isEmpty {
            print("")
            print("How secscore decides it:")
            for line in r.rules { print("  - \(line)") }
        }
        if !r.parameters.isEmpty {
            print("")
            print("Parameters sent to the plugin:")
            for (k, v) in r.parameters.sorted(by: { $0.key < $1.key }) { print("  \(k): \(v.joined(separator: ", "))") }
        }
        print("")
        print("Instructions: \(r.instructionsURL)")
        print("Action:       \(r.actionURL)")
        print("Full rules and the choices behind them: docs/REQUIREMENTS.md")
    }
}

extension String {
    func padding(_ width: Int, left: Bool = false) -> String {
        let pad = String(repeating: " ", count: max(0, width - count))
        return left ? pad + self : self + pad
    }
}
