import PluginHost
import SecScoreCheckers
import SecScoreModel
import SecScoreTestSupport
import SecScoreWire
import Testing

/// A checker is declared once (its `Checker` type); these tests prove that
/// the plugins built from the declarations, the registry and the catalog
/// agree, so none of them can drift.
@Suite("Checker registry")
struct CheckerRegistryTests {
    /// Every plugin found next to the test binary (where `make build` puts
    /// secscore's), with the WELCOME it sends in a real session.
    static func shippedPlugins() async throws -> [(executable: PluginExecutable, info: PluginInfo)] {
        var plugins: [(PluginExecutable, PluginInfo)] = []
        for executable in PluginDiscovery.discover(in: [productsDirectory]) {
            let connection = try await PluginConnection.launch(executable)
            plugins.append((executable, connection.info))
            #expect(await connection.shutdown() == .exited(0), "\(executable.displayName)")
        }
        return plugins
    }

    @Test func eachSwiftPluginServesItsCheckersDeclarationsAsItsManifest() async throws {
        let swift = try await Self.shippedPlugins().filter { $0.info.sdk.hasPrefix("secscore-swift") }
        try #require(!swift.isEmpty, "no Swift plugin built in \(productsDirectory); run make build")
        let served = swift.flatMap(\.info.manifest.checks)
        let registry = CheckerRegistry.shipped
        // Every manifest entry is exactly a registered checker's declaration...
        for check in served {
            #expect(registry.checker(for: check.requirementID)?.descriptor == check, "\(check.requirementID)")
        }
        // ...and every registered checker is served by exactly one plugin.
        for checker in registry.checkers {
            let servers = swift.filter { $0.info.requirementIDs.contains(checker.requirementID) }.map(\.executable.displayName)
            #expect(servers.count == 1, "\(checker.requirementID) is served by \(servers)")
        }
        #expect(served.count == registry.checkers.count)
    }

    @Test func theShippedPluginsAnswerEveryCatalogRequirementAndNothingElse() async throws {
        let catalog = try CatalogLoader.builtIn()
        let catalogIDs = Set(catalog.editions.flatMap(\.requirements).map(\.id))
        let answered = try await Self.shippedPlugins().flatMap(\.info.requirementIDs)
        #expect(Set(answered) == catalogIDs)
        #expect(answered.count == Set(answered).count, "a requirement is answered twice: \(answered.sorted())")
        for checker in CheckerRegistry.shipped.checkers {
            #expect(catalogIDs.contains(checker.requirementID), "\(checker.requirementID) is in no catalog edition")
        }
    }

    @Test func lookupDescriptorAndEvaluate() throws {
        let registry = CheckerRegistry.shipped
        #expect(registry.checkers.map { $0.requirementID } == [
            AdminMFAChecker.requirementID, AlertResponseChecker.requirementID, SpendingBudgetChecker.requirementID,
        ])
        #expect(registry.descriptors == registry.checkers.map { $0.descriptor })
        #expect(registry.checker(for: "securityContactProvided") == nil)

        let admin = try #require(registry.checker(for: AdminMFAChecker.requirementID))
        #expect(ObjectIdentifier(admin) == ObjectIdentifier(AdminMFAChecker.self))
        let d = admin.descriptor
        #expect(d.requirementID == AdminMFAChecker.requirementID && d.title == AdminMFAChecker.title)
        #expect(d.description_p == AdminMFAChecker.description)
        #expect(d.requiredFacets == AdminMFAChecker.requiredFacets && d.optionalFacets == AdminMFAChecker.optionalFacets)
        #expect(d.principalScope == .roleHolders)
        // Defaults: no optional facets, every user.
        #expect(SpendingBudgetChecker.descriptor.optionalFacets.isEmpty && SpendingBudgetChecker.descriptor.principalScope == .all)

        // From a protocol request: repeated parameters join by name, as the SDK does.
        var request = Secscore_Plugin_V1_EvaluateRequest()
        request.requirementID = SpendingBudgetChecker.requirementID
        request.context.commerceExperience = .newCommerce
        var customer = Secscore_Tenant_V1_CustomerSpending()
        customer.customerTenantID = "t1"
        customer.subscriptionIds = ["s1"]
        customer.budget.percentUsed = 85
        request.facets.spendingBudgets.items = [customer]
        for value in ["90", "80"] {
            var p = Secscore_Plugin_V1_Parameter()
            p.name = "warningPercent"
            p.values = [value]
            request.parameters.append(p)
        }
        let finding = try #require(registry.evaluate(request))
        let input = CheckInput(requirementID: request.requirementID, context: request.context, facets: request.facets,
                               parameters: ["warningPercent": ["90", "80"]])
        #expect(finding == SpendingBudgetChecker.evaluate(input))
        #expect(finding.requirementID == SpendingBudgetChecker.requirementID && finding.status == .compliant)
        // The first value counts: 85% is under a 90% warning.
        #expect(finding.evidence.items.map(\.status) == ["compliant"])

        request.requirementID = "securityContactProvided"
        #expect(registry.evaluate(request) == nil)
    }

    @Test func twoCheckersForOneRequirementAreRefused() async {
        await #expect(processExitsWith: .failure) {
            _ = CheckerRegistry([AlertResponseChecker.self, AlertResponseChecker.self])
        }
    }
}
