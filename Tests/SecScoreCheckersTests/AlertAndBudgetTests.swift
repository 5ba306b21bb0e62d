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
            log.updatedBy = "analyst@partner.example"
            a.activityLogs = [log]
        }
        return a
    }

    @Test(arguments: Via.allCases) func noAlertsIsCompliant(_ via: Via) async throws {
        let f = try await run(via: via, input([]))
        #expect(f.status == .compliant)
        #expect(f.insights == ["No alerts were detected in the last 30 days."])
    }

    /// Evidence lists the slowest first; alerts answered as fast keep the
    /// order they came in (the sort is stable), so a report never reorders
    /// between runs of the same snapshot.
    @Test(arguments: Via.allCases) func evidenceIsSlowestFirstAndTiesKeepTheirOrder(_ via: Via) async throws {
        let f = try await run(via: via, input([
            alert("b-tie", detectedHoursAgo: 100, answeredAfterHours: 5),
            alert("fast", detectedHoursAgo: 100, answeredAfterHours: 1),
            alert("slow", detectedHoursAgo: 100, answeredAfterHours: 30),
            alert("a-tie", detectedHoursAgo: 100, answeredAfterHours: 5),
            alert("slower", detectedHoursAgo: 100, answeredAfterHours: 40),
        ]))
        #expect(f.evidence.items.map(\.id) == ["slower", "slow", "b-tie", "a-tie", "fast"])
        #expect(f.insights.last == #"Slowest: "slower" 40 h; "slow" 30 h; "b-tie" 5 h."#)
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

    /// Decided rule: a change by "Microsoft" (or anything that is not a
    /// partner user's UPN) is not a partner response; a change by nobody
    /// named, or a resolution before detection, is unknown: the verdict
    /// stands only if it holds for any response time (issue 16).
    @Test(arguments: Via.allCases) func onlyPartnerChangesAreResponses(_ via: Via) async throws {
        var byMicrosoft = alert("auto", detectedHoursAgo: 100, answeredAfterHours: 1)
        byMicrosoft.activityLogs[0].updatedBy = "Microsoft"
        let f = try await run(via: via, input([byMicrosoft]))
        #expect(f.status == .notCompliant)
        #expect(f.insights.contains { $0.contains("not counted as a response") })
    }

    @Test(arguments: Via.allCases) func contradictoryAlertsDecideOnlyWhatHoldsEitherWay(_ via: Via) async throws {
        var backwards = alert("backwards", detectedHoursAgo: 200, answeredAfterHours: nil)
        backwards.status = "resolved"
        backwards.resolvedOnUnixMs = backwards.detectedUnixMs - 5 * Self.hour
        let alone = try await run(via: via, input([backwards]))
        #expect(alone.status == .couldNotCheck)
        #expect(alone.insights.contains { $0.contains("backwards") && $0.contains("resolved before it was detected") })
        #expect(!alone.insights.contains { $0.contains("not yet touched") })
        // Two slow alerts known: late whatever the contradictory one took.
        let late = try await run(via: via, input([backwards, alert("slow", detectedHoursAgo: 300, answeredAfterHours: 100),
                                                  alert("slower", detectedHoursAgo: 300, answeredAfterHours: 120)]))
        #expect(late.status == .notCompliant)
        // Fast enough even if it waited until now.
        let young = alert("young", detectedHoursAgo: 2, answeredAfterHours: nil)
        var unnamed = young
        unnamed.activityLogs = [Secscore_Tenant_V1_AlertActivity()]
        unnamed.activityLogs[0].updatedUnixMs = young.detectedUnixMs + Self.hour
        let fine = try await run(via: via, input([unnamed, alert("fast", detectedHoursAgo: 50, answeredAfterHours: 1)]))
        #expect(fine.status == .compliant)
    }

    /// No file is no data, never "no alerts" (in process too).
    @Test(arguments: Via.allCases) func absentFacetCannotBeChecked(_ via: Via) async throws {
        var c = Secscore_Plugin_V1_EvaluationContext()
        c.nowUnixMs = Self.now
        let f = try await run(via: via, CheckInput(requirementID: AlertResponseChecker.requirementID, context: c, facets: .init(), parameters: [:]))
        #expect(f.status == .couldNotCheck)
        var budgets = Secscore_Plugin_V1_EvaluationContext()
        budgets.commerceExperience = .newCommerce
        let b = try await run(via: via, CheckInput(requirementID: SpendingBudgetChecker.requirementID, context: budgets, facets: .init(), parameters: [:]))
        #expect(b.status == .couldNotCheck)
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

    /// Customers without a budget first, then by name; equal names keep the
    /// order they came in (the sort is stable). The warning lists the most
    /// used budget first.
    @Test(arguments: Via.allCases) func evidenceOrderIsNoBudgetFirstThenByName(_ via: Via) async throws {
        var i = input(.newCommerce, [("C", true, 90), ("B", false, 0), ("A", true, 95), ("D", false, 0), ("A", true, 85)])
        i.facets.spendingBudgets.items[4].customerTenantID = "A-second"
        let f = try await run(via: via, i)
        #expect(f.evidence.items.map(\.id) == ["B", "D", "A", "A-second", "C"])
        #expect(f.insights.contains { $0.contains("A 95%, C 90%, A 85%") })
    }

    @Test(arguments: Via.allCases) func warnsAtEightyPercent(_ via: Via) async throws {
        let f = try await run(via: via, input(.newCommerce, [("A", true, 80)]))
        #expect(f.insights.contains { $0.contains("A 80%") })
    }

    /// Only an empty list means "no Azure"; an absent one is unknown.
    @Test(arguments: Via.allCases) func missingSubscriptionListIsUnknown(_ via: Via) async throws {
        var i = input(.newCommerce, [("A", true, 10), ("B", false, 0)])
        i.facets.spendingBudgets.items[1].subscriptionIds = []
        i.facets.spendingBudgets.items[1].subscriptionIdsUnknown = true
        let f = try await run(via: via, i)
        #expect(f.status == .couldNotCheck)
        #expect(f.insights.first?.contains("no subscriptionIds") == true && f.insights.first?.contains("B") == true)
        // With a budget it does not matter whether it has Azure.
        i.facets.spendingBudgets.items[1].budget.amount = 50
        #expect(try await run(via: via, i).status == .compliant)
        // An empty list is "no Azure".
        var none = input(.newCommerce, [("A", false, 0)])
        none.facets.spendingBudgets.items[0].subscriptionIds = []
        #expect(try await run(via: via, none).status == .compliant)
    }

    /// Decided rule: a budget of 0 is a budget (the strictest one); only a
    /// null amount or no budget object means none.
    @Test(arguments: Via.allCases) func zeroBudgetIsABudget(_ via: Via) async throws {
        var i = input(.newCommerce, [("A", true, 0)])
        i.facets.spendingBudgets.items[0].budget.amount = 0
        #expect(try await run(via: via, i).status == .compliant)
    }

    @Test(arguments: Via.allCases) func unknownCommerceCannotBeChecked(_ via: Via) async throws {
        #expect(try await run(via: via, input(.unspecified, [])).status == .couldNotCheck)
    }
}
