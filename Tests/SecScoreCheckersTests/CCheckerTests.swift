import SecScoreCheckers
import SecScoreWire
import Testing

/// The C checkers' rules, through their real plugin processes.
@Suite("Security contact rules (C plugin)")
struct SecurityContactTests {
    func check(_ name: String, _ email: String, _ phone: String) async throws -> Secscore_Plugin_V1_Finding {
        var f = Secscore_Tenant_V1_Facets()
        f.securityContact.name = name
        f.securityContact.email = email
        f.securityContact.phone = phone
        return try await run(
            CheckInput(requirementID: "securityContactProvided", context: .init(), facets: f, parameters: [:]), via: .plugin)
    }

    @Test func completeContactIsCompliant() async throws {
        let f = try await check("Contoso SOC", "soc@contoso.com", "+1 (425) 555-0100")
        #expect(f.status == .compliant)
        #expect(f.insights == ["Security contact: Contoso SOC <soc@contoso.com>, +1 (425) 555-0100."])
    }

    @Test func everyMissingOrMalformedFieldIsNamed() async throws {
        let f = try await check("  ", "soc@@contoso", "call me")
        #expect(f.status == .notCompliant)
        #expect(f.insights.contains("The security contact has no name."))
        #expect(f.insights.contains("The security contact's email address must contain exactly one @ (\"soc@@contoso\")."))
        #expect(f.insights.contains("The security contact's phone number contains characters other than digits, spaces, + - . ( ) (\"call me\")."))
        #expect(try await check("SOC", "soc@contoso", "+1 425 555 0100").insights.first?.contains("no valid domain") == true)
        #expect(try await check("SOC", "soc@contoso.com", "555-01").insights.first?.contains("fewer than 7 digits") == true)
        #expect(try await check("SOC", "soc@contoso.com", "").status == .notCompliant)
    }

    /// Decided rule (docs/REQUIREMENTS.md): an extension after the number
    /// is accepted and does not count toward the 15 digits.
    @Test func phoneWithExtensionIsWellFormed() async throws {
        for phone in ["+1 425 555 0100 ext. 1234", "+1 425 555 0100 x12", "+1-425-555-0100;ext=7", "(425) 555-0100 #99", "+44 20 7946 0958 Extension 5"] {
            #expect(try await check("SOC", "soc@contoso.com", phone).status == .compliant, "\(phone)")
        }
        for phone in ["+1 425 555 0100 ext.", "+1 425 555 0100 ext 1234567", "+1 425 555 0100 x12a", "ext 1234567"] {
            #expect(try await check("SOC", "soc@contoso.com", phone).status == .notCompliant, "\(phone)")
        }
    }

    @Test func missingFileCannotBeChecked() async throws {
        let f = try await run(
            CheckInput(requirementID: "securityContactProvided", context: .init(), facets: .init(), parameters: [:]), via: .plugin)
        #expect(f.status == .couldNotCheck)
    }
}

@Suite("Customer admin MFA rules (C plugin)")
struct CustomerMFATests {
    func check(_ customers: [(String, Int64, Int64)]) async throws -> Secscore_Plugin_V1_Finding {
        var f = Secscore_Tenant_V1_Facets()
        f.customerMfa.items = customers.map { name, total, withMFA in
            var c = Secscore_Tenant_V1_CustomerMfaStatistics()
            c.tenantID = "t-" + name
            c.displayName = name
            c.totalAdminsCount = total
            c.mfaEnabledAdminsCount = withMFA
            c.totalUsersCount = 10
            return c
        }
        return try await run(
            CheckInput(requirementID: "mfaEnforcedForAdminsOfCustomers", context: .init(), facets: f, parameters: [:]), via: .plugin)
    }

    @Test func allAdminsOnMFAIsCompliant() async throws {
        let f = try await check([("A", 2, 2), ("B", 1, 1)])
        #expect(f.status == .compliant)
        #expect(f.insights == ["All 3 admins across 2 customers have MFA enabled."])
    }

    @Test func nonCompliantCustomersWorstFirst() async throws {
        let f = try await check([("Small gap", 4, 3), ("Ok", 2, 2), ("Big gap", 5, 1), ("Tie 2", 2, 1), ("Tie 1", 4, 3)])
        #expect(f.status == .notCompliant)
        #expect(f.insights.first == "4 of 5 customers have admins without MFA (7 of 17 admins), worst first:")
        let order = f.insights.dropFirst().map { String($0.prefix { $0 != ":" }) }
        #expect(order == ["Big gap", "Tie 2", "Small gap", "Tie 1"])
    }

    @Test func unknownAdminTotalsCannotBeChecked() async throws {
        #expect(try await check([("A", 2, 2), ("Graph shape", -1, 1)]).status == .couldNotCheck)
        #expect(try await check([("A", 2, 1), ("Graph shape", -1, 1)]).status == .notCompliant)
    }

    /// Every Entra tenant has a Global Administrator: zero admins means the
    /// data was not collected, never "all 0 admins have MFA" (issue 16).
    @Test func zeroAdminsIsUnknownNotAll() async throws {
        let f = try await check([("Empty A", 0, 0), ("Empty B", 0, 0)])
        #expect(f.status == .couldNotCheck)
        #expect(f.insights.contains("Empty A: reports 0 admins."))
        #expect(try await check([("Ok", 2, 2), ("Empty", 0, 0)]).status == .couldNotCheck)
        #expect(try await check([("Gap", 2, 1), ("Empty", 0, 0)]).status == .notCompliant)
    }

    @Test func noCustomersIsCompliant() async throws {
        #expect(try await check([]).status == .compliant)
    }
}
