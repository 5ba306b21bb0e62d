public import SecScoreWire

/// `spendingBudgetSetForCustomerAzureSubscriptions`: every customer with
/// Azure subscriptions has a spending budget; partners on the traditional
/// commerce experience earn nothing.
public enum SpendingBudgetChecker: Checker {
    public static let requirementID = "spendingBudgetSetForCustomerAzureSubscriptions"
    public static let title = "A spending budget on every customer's Azure subscriptions"
    public static let description = "Every customer with Azure subscriptions has a budget; traditional commerce earns nothing."
    public static let requiredFacets: [Secscore_Tenant_V1_Facet] = [.spendingBudgets]

    public static func evaluate(_ input: CheckInput) -> Secscore_Plugin_V1_Finding {
        var out = FindingBuilder(requirementID)
        switch input.context.commerceExperience {
        case .traditional:
            out.status(.notCompliant)
            out.insight("You are on the traditional commerce experience: Partner Center awards these points only to partners on the new commerce experience, whatever budgets are set.")
            return out.finding
        case .newCommerce:
            break
        default:
            out.status(.couldNotCheck)
            out.insight("partner.json does not say commerceExperience (newCommerce or traditional), which decides whether this requirement can earn points.")
            return out.finding
        }
        // An absent facet is no data, not "no customers".
        guard input.facets.hasSpendingBudgets else {
            out.status(.couldNotCheck)
            out.insight("spendingBudgets.json is missing from the snapshot.")
            return out.finding
        }
        let warning = input.number("warningPercent", default: 80)
        // Customers are referred to by their index in the facet, not
        // copied to be filtered: filtering copies of the structs (a retain
        // for each of their strings and lists, and a release later) was
        // over half of this check's time on 100,000 customers (perf of the
        // 1,000,000-user benchmark tenant).
        let all = input.facets.spendingBudgets.items
        // A customer without a budget whose subscription list was not
        // exported may or may not have Azure: unknown, never "no Azure".
        var unknown: [Int] = []
        var customers: [Int] = []
        for i in all.indices {
            if all[i].subscriptionIdsUnknown && !all[i].hasBudget { unknown.append(i) }
            if !all[i].subscriptionIds.isEmpty || (all[i].subscriptionIdsUnknown && all[i].hasBudget) { customers.append(i) }
        }
        let withoutBudget = customers.filter { !all[$0].hasBudget }
        let nearLimit = customers.filter { all[$0].hasBudget && all[$0].budget.percentUsed >= warning }
        let subscriptions = customers.reduce(0) { $0 + all[$1].subscriptionIds.count }
        out.metric("customersWithAzure", Double(customers.count))
        out.metric("azureSubscriptions", Double(subscriptions))
        out.metric("customersWithoutBudget", Double(withoutBudget.count))
        out.metric("customersAtWarning", Double(nearLimit.count))
        if !unknown.isEmpty { out.metric("customersUnknown", Double(unknown.count)) }
        let unknownNames = unknown.map { name(all[$0]) }
        for i in unknown.indices.sorted(by: { unknownNames[$0] < unknownNames[$1] }) {
            out.item(kind: "customer", id: all[unknown[i]].customerTenantID, name: unknownNames[i], status: "unknown",
                     reasons: ["spendingBudgets.json has no subscriptionIds for this customer (absent or null) and no budget"])
        }
        if !unknown.isEmpty && withoutBudget.isEmpty {
            out.status(.couldNotCheck)
            out.insight("\(plural(unknown.count, "customer")) without a budget have no subscriptionIds in spendingBudgets.json (absent or null, not []), so whether they have Azure subscriptions is unknown: \(listed(unknownNames)).")
            return out.finding
        }
        if customers.isEmpty {
            out.status(.compliant)
            out.insight("No customer has an Azure subscription.")
            return out.finding
        }
        if withoutBudget.isEmpty {
            out.status(.compliant)
            out.insight("All \(plural(customers.count, "customer")) with Azure subscriptions (\(plural(subscriptions, "subscription"))) have a spending budget.")
        } else {
            out.status(.notCompliant)
            let subs = withoutBudget.reduce(0) { $0 + all[$1].subscriptionIds.count }
            let missing = listed(count: withoutBudget.count) { name(all[withoutBudget[$0]]) }
            out.insight("\(withoutBudget.count) of \(plural(customers.count, "customer")) with Azure subscriptions have no spending budget (\(plural(subs, "subscription"))): \(missing).")
            if !unknown.isEmpty {
                out.insight("Also unknown: \(plural(unknown.count, "customer")) without a budget and without subscriptionIds: \(listed(unknownNames)).")
            }
        }
        if !nearLimit.isEmpty {
            let used = nearLimit.map { all[$0].budget.percentUsed }
            let sorted = nearLimit.indices.sorted { used[$0] > used[$1] }
            out.insight("\(plural(nearLimit.count, "customer")) at \(Int(warning))% of the budget or more: "
                + listed(count: sorted.count) { "\(name(all[nearLimit[sorted[$0]]])) \(Int(used[sorted[$0]].rounded()))%" }
                + ". Tell them before the bill surprises them.")
        }
        // Indices sorted by keys computed once (the sort is stable, so the
        // order is the one sorting the customers gave): sorting the structs
        // moved each through value witnesses and copied two names per
        // comparison, two thirds of this check's time on 100,000 customers
        // (perf of the 1,000,000-user benchmark tenant).
        let keys = customers.map { (all[$0].hasBudget ? 1 : 0, name(all[$0])) }
        for k in customers.indices.sorted(by: { keys[$0] < keys[$1] }) {
            let c = all[customers[k]]
            var attributes = [("subscriptions", String(c.subscriptionIds.count))]
            if c.hasBudget {
                attributes.append(("budget", String(c.budget.amount)))
                attributes.append(("percentUsed", String(c.budget.percentUsed)))
            }
            out.item(
                kind: "customer", id: c.customerTenantID, name: keys[k].1,
                status: !c.hasBudget ? "noBudget" : (c.budget.percentUsed >= warning ? "atWarning" : "compliant"),
                reasons: c.hasBudget ? [] : ["no spending budget"], attributes: attributes)
        }
        return out.finding
    }

    static func name(_ c: Secscore_Tenant_V1_CustomerSpending) -> String {
        c.customerName.isEmpty ? c.customerTenantID : c.customerName
    }
}
