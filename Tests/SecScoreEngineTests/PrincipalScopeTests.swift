import Foundation
import SecScoreCheckers
import SecScoreEngine
import SecScoreSynth
import SecScoreTestSupport
import SecScoreWire
import TenantSnapshot
import Testing

/// The admin-MFA check receives only directory-role holders: it must reach
/// exactly the verdict it reaches with every user, on every example and on
/// generated tenants, while seeing fewer records.
@Suite("Principal scope")
struct PrincipalScopeTests {
    static let examples = ["contoso-direct-bill", "fabrikam-distributor", "northwind-indirect-reseller",
                           "tailspin-traditional", "woodgrove-2024"]

    func compare(_ snapshot: TenantSnapshot) {
        let wanted = AdminMFAChecker.requiredFacets + AdminMFAChecker.optionalFacets
        let all = FacetProjection.facets(of: snapshot, only: wanted, scope: .all)
        let scoped = FacetProjection.facets(of: snapshot, only: wanted, scope: .roleHolders)
        var context = Secscore_Plugin_V1_EvaluationContext()
        context.asOf = "2025-11-15"
        context.partnerType = .directBill
        let input = { (facets: Secscore_Tenant_V1_Facets) in
            CheckInput(requirementID: AdminMFAChecker.requirementID, context: context, facets: facets, parameters: [:])
        }
        #expect(AdminMFAChecker.evaluate(input(scoped)) == AdminMFAChecker.evaluate(input(all)), "\(snapshot.directory)")
        #expect(scoped.users.items.count <= all.users.items.count)
        #expect(scoped.registrationDetails.items.count <= all.registrationDetails.items.count)
        // Nobody outside the role holders is sent.
        let holders = Set(all.roleAssignments.items.map(\.principalID) + all.roleEligibilities.items.map(\.principalID))
        let viaGroups = Set(all.groups.items.filter { holders.contains($0.id) }.flatMap(\.memberIds))
        #expect(scoped.users.items.allSatisfy { holders.contains($0.id) || viaGroups.contains($0.id) })
        #expect(scoped.registrationDetails.items.allSatisfy { holders.contains($0.id) || viaGroups.contains($0.id) })
        #expect(scoped.groups.items.count == all.groups.items.count)
    }

    @Test(arguments: examples)
    func examplesGetTheSameVerdict(_ name: String) throws {
        compare(try SnapshotLoader.load(directory: fixture("Examples/snapshots/" + name)))
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func generatedTenantsGetTheSameVerdictFromFarFewerUsers(_ seed: UInt64) throws {
        let dir = ScratchDirectory()
        let path = dir.path + "/tenant"
        try SnapshotSynthesizer(size: SynthSize(admins: 12, users: 3_000, policies: 6), seed: seed).write(to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let snapshot = try SnapshotLoader.load(directory: path)
        compare(snapshot)
        let scoped = FacetProjection.facets(of: snapshot, only: [.users, .registrationDetails], scope: .roleHolders)
        #expect(scoped.users.items.count < 100, "3,000 users, of which a dozen admins")
        #expect(scoped.registrationDetails.items.count < 100)
    }

    @Test func theDefaultScopeSendsEveryone() throws {
        let snapshot = try SnapshotLoader.load(directory: fixture("Examples/snapshots/fabrikam-distributor"))
        #expect(FacetProjection.facets(of: snapshot, only: [.users], scope: .all) == snapshot.facets(only: [.users]))
    }
}
