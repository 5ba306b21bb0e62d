import SecScoreCheckers
import SecScoreWire
import Testing

@Suite("Alert response rules")
struct AlertResponseCheckerTests {
    static let now: Int64 = 1_763_164_800_000
    static let hour: Int64 = 3_600_000

    func input(_ alerts: [Secscore_Tenant_V1_SecurityAlert]) -> CheckInput {
        var f = Secscore_Tenant_V1_Facets()
        f.securityAlerts.items = alerts
        var c = Secscore_Plugin_V1_EvaluationContext()
        c.nowUnixMs = Self.now
        return CheckInput(requirementID: AlertResponseChecker.requirementID, context: c, facets: f, parameters: [:])
    }

    func alert(_ id: String, detectedHoursAgo: Int64, answeredAfterHours: Double?) -> Secscore_Tenant_V1_SecurityAlert {
        var a = Secscore_Tenant_V1_SecurityAlert()
        a.id = id
        a.displayName = id
        a.detectedUnixMs = Self.now - detectedHoursAgo * Self.hour
        if let h = answeredAfterHours {
            var log = Secscore_Tenant_V1_AlertActivity()
            log.updatedUnixMs = a.detectedUnixMs + Int64(h * Double(Self.hour))
            a.activityLogs = [log]
        }
        return a
    }

    @Test(arguments: Via.allCases) func noAlertsIsCompliant(_ via: Via) async throws {
        let f = try await run(via: via, input([]))
        #expect(f.status == .compliant)
        #expect(f.insights == ["No alerts were detected in the last 30 days."])
    }

    @Test(arguments: Via.allCases) func exactlyTwentyFourHoursIsCompliant(_ via: Via) async throws {
        #expect(try await run(via: via, input([alert("a", detectedHoursAgo: 100, answeredAfterHours: 24)])).status == .compliant)
        #expect(try await run(via: via, input([alert("a", detectedHoursAgo: 100, answeredAfterHours: 24.01)])).status == .notCompliant)
    }

    @Test(arguments: Via.allCases) func unansweredAlertCountsTimeWaited(_ via: Via) async throws {
        // Answered in 1 h, plus one untouched for 60 h: average 30.5 h.
        let f = try await run(via: via, input([
            alert("fast", detectedHoursAgo: 100, answeredAfterHours: 1),
            alert("ignored", detectedHoursAgo: 60, answeredAfterHours: nil),
        ]))
        #expect(f.status == .notCompliant)
        #expect(f.evidence.metrics.first { $0.name == "averageResponseHours" }?.value == 30.5)
        #expect(f.insights.contains { $0.contains("not yet touched") })
    }

    @Test(arguments: Via.allCases) func windowIsThirtyDays(_ via: Via) async throws {
        let f = try await run(via: via, input([alert("old", detectedHoursAgo: 24 * 31, answeredAfterHours: 200)]))
        #expect(f.status == .compliant)
    }

    @Test(arguments: Via.allCases) func activityBeforeDetectionIsIgnored(_ via: Via) async throws {
        var a = alert("odd", detectedHoursAgo: 10, answeredAfterHours: nil)
        var log = Secscore_Tenant_V1_AlertActivity()
        log.updatedUnixMs = a.detectedUnixMs - 5 * Self.hour
        a.activityLogs = [log]
        let f = try await run(via: via, input([a]))
        #expect(f.evidence.metrics.first { $0.name == "untouched" }?.value == 1)
        #expect(f.insights.contains { $0.contains("activity dated before detection") })
    }

    @Test(arguments: Via.allCases) func testAlertsAreIgnored(_ via: Via) async throws {
        var a = alert("t", detectedHoursAgo: 100, answeredAfterHours: nil)
        a.isTest = true
        #expect(try await run(via: via, input([a])).status == .compliant)
    }
}

@Suite("Spending budget rules")
struct SpendingBudgetCheckerTests {
    func input(_ commerce: Secscore_Tenant_V1_CommerceExperience, _ customers: [(String, Bool, Double)]) -> CheckInput {
        var f = Secscore_Tenant_V1_Facets()
        f.spendingBudgets.items = customers.map { name, hasBudget, used in
            var c = Secscore_Tenant_V1_CustomerSpending()
            c.customerTenantID = name
            c.customerName = name
            c.subscriptionIds = ["sub-\(name)"]
            if hasBudget { c.budget.amount = 100; c.budget.percentUsed = used }
            return c
        }
        var ctx = Secscore_Plugin_V1_EvaluationContext()
        ctx.commerceExperience = commerce
        return CheckInput(requirementID: SpendingBudgetChecker.requirementID, context: ctx, facets: f, parameters: [:])
    }

    @Test(arguments: Via.allCases) func traditionalCommerceEarnsNothing(_ via: Via) async throws {
        let f = try await run(via: via, input(.traditional, [("A", true, 10)]))
        #expect(f.status == .notCompliant)
        #expect(f.insights.first?.contains("traditional commerce") == true)
    }

    @Test(arguments: Via.allCases) func everyCustomerNeedsABudget(_ via: Via) async throws {
        #expect(try await run(via: via, input(.newCommerce, [("A", true, 10), ("B", true, 95)])).status == .compliant)
        let f = try await run(via: via, input(.newCommerce, [("A", true, 10), ("B", false, 0)]))
        #expect(f.status == .notCompliant)
        #expect(f.insights.first?.contains("B") == true)
    }

    @Test(arguments: Via.allCases) func warnsAtEightyPercent(_ via: Via) async throws {
        let f = try await run(via: via, input(.newCommerce, [("A", true, 80)]))
        #expect(f.insights.contains { $0.contains("A 80%") })
    }

    @Test(arguments: Via.allCases) func unknownCommerceCannotBeChecked(_ via: Via) async throws {
        #expect(try await run(via: via, input(.unspecified, [])).status == .couldNotCheck)
    }
}
