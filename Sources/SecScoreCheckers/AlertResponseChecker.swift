public import SecScoreWire

/// `securityAlertsPromptlyResolved`: the average time from an alert's
/// detection to the partner's first change to it, over the alerts detected
/// in the last 30 days, is 24 hours or less.
public enum AlertResponseChecker: Checker {
    public static let requirementID = "securityAlertsPromptlyResolved"
    public static let title = "Average response to security alerts within 24 hours"
    public static let description = "Average time from detection to the first partner change over the alerts of the last 30 days."
    public static let requiredFacets: [Secscore_Tenant_V1_Facet] = [.securityAlerts]

    /// An alert of the window (by its index in the facet, not a copy:
    /// copies of the alerts carried through filters and sorts, each a
    /// dozen strings to retain and release, were a third of this check's
    /// time on 100,000 alerts; perf of the 1,000,000-user benchmark tenant)
    /// and its response time.
    struct Timed {
        var index: Int
        var hours: Double
        var untouched: Bool
        /// Why the response time cannot be known, when it cannot.
        var contradiction: String? = nil
    }

    /// A change made by the partner: Graph documents `updatedBy` (and
    /// `resolvedBy`) as the partner user's UPN. A change by "Microsoft", a
    /// service, or nobody named is not a partner response.
    package static func byPartner(_ who: String) -> Bool {
        // In ASCII text no character combines with an "@", so a byte
        // search finds the same "@" the character search does, without
        // grapheme breaking.
        if who.isASCII { return who.utf8.contains(UInt8(ascii: "@")) }
        return who.contains("@")
    }

    public static func evaluate(_ input: CheckInput) -> Secscore_Plugin_V1_Finding {
        var out = FindingBuilder(requirementID)
        let now = input.context.nowUnixMs
        let windowDays = input.number("windowDays", default: 30)
        let limitHours = input.number("maxAverageHours", default: 24)
        let goalHours = input.number("goalHours", default: 1)
        let windowStart = now - Int64(windowDays * 86_400_000)
        // An absent facet is no data, not "no alerts".
        guard input.facets.hasSecurityAlerts else {
            out.status(.couldNotCheck)
            out.insight("securityAlerts.json is missing from the snapshot.")
            return out.finding
        }

        var tests = 0
        var timed: [Timed] = []
        var inconsistent = 0
        var notByPartner = 0
        let alerts = input.facets.securityAlerts.items
        timed.reserveCapacity(alerts.count)
        for index in alerts.indices {
            let detected = alerts[index].detectedUnixMs
            guard detected > windowStart, detected <= now else { continue }
            if alerts[index].isTest {
                tests += 1
                continue
            }
            // The first partner change at or after detection; changes dated
            // earlier cannot be a response to this alert. One pass over the
            // activity log, no lists built: of the dated changes, whether
            // any predates detection, and of those in the window, the first
            // by a partner user and whether any is by someone else named or
            // by nobody named.
            var early = false
            var inWindow = 0
            var first: Int64?
            var byOthers = false
            var unnamed = false
            for log in alerts[index].activityLogs where log.updatedUnixMs != 0 {
                let at = log.updatedUnixMs
                if at < detected { early = true }
                guard at >= detected, at <= now else { continue }
                inWindow += 1
                if byPartner(log.updatedBy) {
                    first = min(first ?? at, at)
                } else if log.updatedBy.isEmpty {
                    unnamed = true
                } else {
                    byOthers = true
                }
            }
            inconsistent += early ? 1 : 0
            let resolvedOn = alerts[index].resolvedOnUnixMs
            if first == nil, resolvedOn >= detected, resolvedOn <= now, resolvedOn != 0, byPartner(alerts[index].resolvedBy) {
                first = resolvedOn
            }
            if first == nil, byOthers { notByPartner += 1 }
            // Data that contradicts itself decides nothing (issue 16): it is
            // named, and the verdict holds only if it holds either way.
            var contradiction: String?
            if first == nil {
                let status = alerts[index].status.lowercased()
                if resolvedOn != 0 && resolvedOn < detected {
                    contradiction = "resolved before it was detected, with no partner activity after detection"
                } else if unnamed {
                    contradiction = "changed after detection by someone the export does not name (updatedBy is empty)"
                } else if ["resolved", "dismissed", "investigating", "inprogress"].contains(status) && inWindow == 0 && resolvedOn == 0 {
                    contradiction = "status is \(alerts[index].status) but no change is dated"
                }
            }
            // Nobody touched it: it has been waiting until now. Leaving it out
            // would reward silence.
            let end = first ?? now
            timed.append(Timed(index: index, hours: Double(end - detected) / 3_600_000, untouched: first == nil && contradiction == nil,
                               contradiction: contradiction))
        }
        out.metric("alerts", Double(timed.count))
        if tests > 0 { out.metric("testAlertsIgnored", Double(tests)) }
        guard !timed.isEmpty else {
            out.status(.compliant)
            out.insight("No alerts were detected in the last \(Int(windowDays)) days\(tests > 0 ? " (\(plural(tests, "test alert")) ignored)" : "").")
            out.metric("averageResponseHours", 0, unit: "hours")
            return out.finding
        }
        // Contradictory alerts took between 0 hours and the time waited so far.
        let unknown = timed.filter { $0.contradiction != nil }
        let average = timed.reduce(0) { $0 + $1.hours } / Double(timed.count)
        let lowest = timed.reduce(0) { $0 + ($1.contradiction == nil ? $1.hours : 0) } / Double(timed.count)
        let withinGoal = timed.filter { !$0.untouched && $0.hours <= goalHours }.count
        let untouched = timed.filter(\.untouched)
        let closedWithoutReason = timed.filter {
            ["resolved", "dismissed"].contains(alerts[$0.index].status.lowercased()) && alerts[$0.index].resolvedReason.isEmpty
        }
        out.metric("averageResponseHours", (average * 100).rounded() / 100, unit: "hours")
        out.metric("withinGoal", Double(withinGoal))
        out.metric("untouched", Double(untouched.count))
        out.metric("closedWithoutReason", Double(closedWithoutReason.count))

        if !unknown.isEmpty { out.metric("contradictory", Double(unknown.count)) }
        if unknown.isEmpty || average <= limitHours || lowest > limitHours {
            out.status(average <= limitHours ? .compliant : .notCompliant)
            out.insight("Average response time \(hoursText(unknown.isEmpty ? average : (average <= limitHours ? average : lowest))) \(unknown.isEmpty ? "" : average <= limitHours ? "at most " : "at least ")over \(plural(timed.count, "alert")) detected in the last \(Int(windowDays)) days (limit \(hoursText(limitHours))).")
        } else {
            out.status(.couldNotCheck)
            out.insight("The average response time is between \(hoursText(lowest)) and \(hoursText(average)) (limit \(hoursText(limitHours))): \(plural(unknown.count, "alert")) contradict themselves, so when they were answered is unknown.")
        }
        for u in unknown {
            out.insight("\(label(alerts[u.index])) (\(alerts[u.index].id)): \(u.contradiction!).")
        }
        if notByPartner > 0 {
            out.insight("\(plural(notByPartner, "alert")) changed only by someone other than a partner user (updatedBy is not a UPN, e.g. Microsoft): not counted as a response.")
        }
        out.insight("\(withinGoal) of \(timed.count) answered within the \(hoursText(goalHours)) goal.")
        if !untouched.isEmpty {
            out.insight("\(plural(untouched.count, "alert")) not yet touched by anyone, counted with the time waited so far: \(listed(count: untouched.count) { label(alerts[untouched[$0].index]) }).")
        }
        // Slowest first, sorted once as indices (stable: ties keep their
        // order): sorting the alerts themselves, twice, moved each through
        // value witnesses (perf of the 1,000,000-user benchmark tenant).
        let hours = timed.map(\.hours)
        let slowestFirst = timed.indices.sorted { hours[$0] > hours[$1] }
        let slowest = slowestFirst.prefix(3).map { timed[$0] }.filter { $0.hours > goalHours }
        if !slowest.isEmpty {
            out.insight("Slowest: " + slowest.map { "\(label(alerts[$0.index])) \(hoursText($0.hours))" }.joined(separator: "; ") + ".")
        }
        if !closedWithoutReason.isEmpty {
            out.insight("\(plural(closedWithoutReason.count, "alert")) closed without a reason code: \(listed(count: closedWithoutReason.count) { label(alerts[closedWithoutReason[$0].index]) }). Give one: Microsoft uses it to tune alerts.")
        }
        if inconsistent > 0 {
            out.insight("\(plural(inconsistent, "alert")) had activity dated before detection; those entries were ignored.")
        }
        for i in slowestFirst {
            let t = timed[i]
            let alert = alerts[t.index]
            out.item(
                kind: "alert", id: alert.id, name: alert.displayName,
                status: t.contradiction != nil ? "unknown" : t.untouched ? "untouched" : (t.hours <= limitHours ? "answered" : "late"),
                attributes: [("responseHours", String((t.hours * 100).rounded() / 100)), ("severity", alert.severity),
                             ("status", alert.status), ("customerTenantId", alert.customerTenantID)])
        }
        return out.finding
    }

    static func label(_ a: Secscore_Tenant_V1_SecurityAlert) -> String {
        let name = a.displayName.isEmpty ? a.alertType : a.displayName
        return name.isEmpty ? a.id : "\"\(name.count > 60 ? String(name.prefix(60)) + "…" : name)\""
    }

    static func hoursText(_ hours: Double) -> String {
        if hours < 1 { return "\(Int((hours * 60).rounded())) min" }
        let rounded = (hours * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded)) h" : "\(rounded) h"
    }
}
