// An example secscore plugin in Swift: a check Partner Center does not have.
//
// Microsoft recommends at least two Global Administrators (so that losing one
// account does not lock the tenant) and fewer than five (each one is a
// target). This plugin counts them, active and PIM-eligible.
//
// Build: swift build --product example-plugin-swift
// Try:   .build/debug/example-plugin-swift --describe
import Logging
import SecScorePluginKit
import SecScoreWire

@main
struct GlobalAdminCountPlugin: SecScorePlugin {
    static let name = "example-global-admin-count"
    static let version = "1.0.0"
    static let checks = [
        CheckDefinition(
            requirementID: "example.globalAdminCount",
            title: "Two to four Global Administrators",
            description: "At least two Global Administrators for emergency access, and fewer than five.",
            requiredFacets: [.roleAssignments],
            optionalFacets: [.roleEligibilities])
    ]

    static let globalAdministrator = "62e90394-69f5-4237-9190-012177145e10"

    func evaluate(_ request: CheckRequest) async throws -> Finding {
        let assignments = request.facets.roleAssignments.items + request.facets.roleEligibilities.items
        var admins: [String: String] = [:]  // principal id -> display name
        for assignment in assignments where assignment.roleDefinitionID == Self.globalAdministrator {
            try Task.checkCancellation()
            admins[assignment.principalID] = assignment.principalDisplayName
        }
        request.logger.debug("counted global administrators", metadata: ["count": "\(admins.count)"])
        let count = admins.count
        let names = admins.values.filter { !$0.isEmpty }.sorted()
        let who = names.isEmpty ? "" : " (\(names.joined(separator: ", ")))"
        var finding: Finding
        switch count {
        case 0:
            finding = .couldNotCheck(["No Global Administrator assignment found; the role assignments look incomplete."])
        case 1:
            finding = .notCompliant(["Only one Global Administrator\(who): add a second, emergency-access account."])
        case 2...4:
            finding = .compliant(["\(count) Global Administrators\(who)."])
        default:
            finding = .notCompliant(["\(count) Global Administrators\(who): Microsoft recommends fewer than five."])
        }
        finding.items = admins.sorted { $0.key < $1.key }.map { id, name in
            Finding.item(kind: "admin", id: id, name: name, status: "globalAdministrator")
        }
        return finding.metric("globalAdministrators", Double(count))
    }
}
