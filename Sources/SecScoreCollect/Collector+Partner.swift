import Foundation

extension Collector {
    /// userRegistrationDetails.json (reports: 5 requests per 10 s).
    func collectRegistrationDetails(_ dir: String) async {
        await collectFile(.userRegistrationDetails, into: dir)
    }

    /// securityDefaults.json: one object.
    func collectSecurityDefaults(_ dir: String) async {
        let spec = CallSpec.securityDefaults
        do throws(CollectError) {
            let result = try await get(spec, url: request.endpoints.graph + spec.path)
            guard (try? JSONScan.members(result.body)) != nil else { throw CollectError(.badResponse, "not a JSON object") }
            try writeFile(dir + "/" + spec.file!, result.body)
            await ledger.wrote(spec.file!, items: 1, source: spec.name)
            progress.callFinished(spec.name, detail: "1 item")
        } catch {
            await leftOut(spec.file!, spec, error)
        }
    }

    /// Graph beta partner security: alerts, the security score with its
    /// requirements and history (Microsoft's own verdicts, kept in
    /// collection.json), and customer insights (customerMfa.json). The
    /// security contact has no API: an attested contact from the config
    /// file is written; otherwise securityContact.json is left out and
    /// collection.json carries Microsoft's verdict, labelled as such.
    func collectPartnerSecurity(_ dir: String) async {
        async let alerts = collectFile(.securityAlerts, into: dir)
        async let insights = collectFile(.customerInsights, into: dir)
        var score: [(String, JSONText)] = [("source", .string("Microsoft's partner security score (Graph beta security/partner/securityScore)"))]
        // microsoftScore.json: the score object with its requirements and
        // history as Graph sent them, for the reports' reconciliation.
        var scoreObject: [String: Any]?
        var rawRequirements: [[String: Any]] = []
        var rawHistory: [[String: Any]] = []
        var requirementsRead = false
        do throws(CollectError) {
            let result = try await get(.securityScore, url: request.endpoints.graph + CallSpec.securityScore.path)
            let o = (try? JSONSerialization.jsonObject(with: Data(result.body))) as? [String: Any] ?? [:]
            let value = (o["value"] as? [String: Any]) ?? o
            scoreObject = value
            for key in ["currentScore", "maxScore", "lastRefreshDateTime"] {
                if let v = value[key] { score.append((key, .string("\(v)"))) }
            }
            progress.callFinished(CallSpec.securityScore.name, detail: "read")
        } catch {
            await ledger.skip(CallSpec.securityScore.name, why: error.status == 403 ? "permission" : "error", CallSpec.securityScore.reason(for: error))
        }
        var contactVerdict: String?
        var requirements: [JSONText] = []
        do throws(CollectError) {
            try await pages(.securityRequirements, path: CallSpec.securityRequirements.path) { item throws(CollectError) in
                let r = item.object
                rawRequirements.append(r)
                let type = r["requirementType"] as? String ?? r["id"] as? String ?? ""
                let status = r["complianceStatus"] as? String ?? ""
                requirements.append(.object([
                    ("requirementType", .string(type)), ("complianceStatus", .string(status)),
                    ("score", .string("\(r["score"] ?? "")")), ("maxScore", .string("\(r["maxScore"] ?? "")")),
                    ("updatedDateTime", .string(r["updatedDateTime"] as? String ?? "")),
                ]))
                if type == "securityContactProvided" {
                    contactVerdict = "\(status) (updated \(r["updatedDateTime"] as? String ?? "?"))"
                }
            }
            requirementsRead = true
            progress.callFinished(CallSpec.securityRequirements.name, detail: "\(requirements.count) requirements")
        } catch {
            await ledger.skip(CallSpec.securityRequirements.name, why: error.status == 403 ? "permission" : "error",
                              CallSpec.securityRequirements.reason(for: error))
        }
        var history = 0
        do throws(CollectError) {
            history = try await pages(.securityHistory, path: CallSpec.securityHistory.path) { item throws(CollectError) in
                rawHistory.append(item.object)
            }
            progress.callFinished(CallSpec.securityHistory.name, detail: "\(history) entries")
        } catch {
            await ledger.skip(CallSpec.securityHistory.name, why: error.status == 403 ? "permission" : "error", CallSpec.securityHistory.reason(for: error))
        }
        score.append(("requirements", .array(requirements)))
        score.append(("historyEntries", .number(Double(history))))
        await ledger.setMicrosoftScore(.object(score))
        await writeMicrosoftScore(dir, score: scoreObject, requirements: requirementsRead ? rawRequirements : nil, history: rawHistory)
        await writeSecurityContact(dir, microsoftVerdict: contactVerdict)
        _ = await (alerts, insights)
    }

    /// Writes microsoftScore.json when both the score and its requirements
    /// were read: without the requirements every row would read "not
    /// exported", a difference the data does not have.
    func writeMicrosoftScore(_ dir: String, score: [String: Any]?, requirements: [[String: Any]]?, history: [[String: Any]]) async {
        let file = "microsoftScore.json"
        guard var object = score, let requirements else {
            await ledger.leftOut(file, "Microsoft's security score or its requirements could not be read (see calls)")
            return
        }
        object["requirements"] = requirements
        object["history"] = history
        do throws(CollectError) {
            guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
                await ledger.leftOut(file, "Microsoft's security score could not be re-encoded as JSON")
                return
            }
            try writeFile(dir + "/" + file, Array(data))
            await ledger.wrote(file, items: requirements.count, source: "Graph beta security/partner/securityScore, requirements and history")
        } catch {
            await ledger.leftOut(file, "\(error)")
        }
    }

    func writeSecurityContact(_ dir: String, microsoftVerdict: String?) async {
        if let c = request.settings.securityContact {
            var bytes = JSONText.object([("name", .string(c.name)), ("email", .string(c.email)), ("phone", .string(c.phone))]).utf8
            bytes.append(0x0A)
            do throws(CollectError) {
                try writeFile(dir + "/securityContact.json", bytes)
                await ledger.wrote("securityContact.json", items: 1, source: "attested in the --config file (no Microsoft API returns the contact)")
            } catch {
                await ledger.setFatal(error)
            }
            return
        }
        var reason = "no Microsoft API returns the security contact, and the --config file attests none"
        if let microsoftVerdict {
            reason += "; Microsoft's own verdict in the partner security score (securityContactProvided): \(microsoftVerdict)"
        }
        await ledger.leftOut("securityContact.json", reason)
        await ledger.skip("securityContact.json", why: "noApi", reason)
    }

    /// spendingBudgets.json from Partner Center: every customer (paged with
    /// continuation tokens), each one's subscriptions (the Azure ones: Azure
    /// plan `DZH318Z0BPS6` or legacy `MS-AZR-` offers, or usage billing),
    /// and, for customers with Azure, the usage budget (`"amount": null`
    /// means none). A customer whose budget could not be read would look
    /// budgetless, so any such failure leaves the whole file out.
    func collectPartnerCenter(_ dir: String) async {
        let file = "spendingBudgets.json"
        var customers: [(id: String, name: String)] = []
        do throws(CollectError) {
            try await pages(.customers, path: CallSpec.customers.path) { item throws(CollectError) in
                let o = item.object
                let profile = o["companyProfile"] as? [String: Any] ?? [:]
                guard let id = (o["id"] as? String) ?? (profile["tenantId"] as? String) else { return }
                customers.append((id, profile["companyName"] as? String ?? ""))
            }
            progress.callFinished(CallSpec.customers.name, detail: "\(customers.count) customers")
        } catch {
            await leftOut(file, .customers, error)
            return
        }
        var rows = [JSONText?](repeating: nil, count: customers.count)
        var failure: (CallSpec, CollectError)?
        await withTaskGroup(of: (Int, Result<JSONText, SpecError>).self) { group in
            var next = 0
            func start() {
                guard next < customers.count else { return }
                let i = next
                next += 1
                let customer = customers[i]
                group.addTask { (i, await self.spending(for: customer.id, name: customer.name)) }
            }
            for _ in 0..<min(ThrottleLimit.partnerCenter.concurrency, customers.count) { start() }
            while let (i, result) = await group.next() {
                switch result {
                case .success(let row): rows[i] = row
                case .failure(let e): if failure == nil { failure = (e.spec, e.error) }
                }
                if failure == nil { start() }
            }
        }
        if let (spec, error) = failure {
            await leftOut(file, spec, error)
            return
        }
        var bytes = JSONText.object([("value", .array(rows.compactMap { $0 }))]).utf8
        bytes.append(0x0A)
        do throws(CollectError) {
            try writeFile(dir + "/" + file, bytes)
            await ledger.wrote(file, items: customers.count, source: "customers, subscriptions, usagebudget")
        } catch {
            await ledger.setFatal(error)
        }
    }

    struct SpecError: Error {
        let spec: CallSpec
        let error: CollectError
    }

    /// One customer's row of spendingBudgets.json.
    func spending(for id: String, name: String) async -> Result<JSONText, SpecError> {
        let pc = request.endpoints.partnerCenter
        var azure: [String] = []
        do throws(CollectError) {
            try await pages(.subscriptions, path: CallSpec.subscriptions.path(id: Self.escape(id))) { item throws(CollectError) in
                let s = item.object
                let offer = (s["offerId"] as? String ?? "").uppercased()
                let billing = (s["billingType"] as? String ?? "").lowercased()
                if offer.hasPrefix("DZH318Z0BPS6") || offer.hasPrefix("MS-AZR-") || billing == "usage", let sid = s["id"] as? String {
                    azure.append(sid)
                }
            }
        } catch {
            return .failure(SpecError(spec: .subscriptions, error: error))
        }
        var members: [(String, JSONText)] = [
            ("customerTenantId", .string(id)), ("customerName", .string(name)), ("subscriptionIds", .array(azure.map { .string($0) })),
        ]
        guard !azure.isEmpty else {
            members.append(("budget", .null))
            return .success(.object(members))
        }
        do throws(CollectError) {
            let result = try await get(.usageBudget, url: pc + CallSpec.usageBudget.path(id: Self.escape(id)))
            let o = (try? JSONSerialization.jsonObject(with: Data(result.body))) as? [String: Any] ?? [:]
            if let amount = (o["amount"] as? NSNumber)?.doubleValue {
                members.append(("budget", .object([("amount", .number(amount))])))
            } else if o["amount"] == nil || o["amount"] is NSNull {
                members.append(("budget", .object([("amount", .null)])))
            } else {
                throw CollectError(.badResponse, "usagebudget of \(id): amount is not a number")
            }
        } catch {
            return .failure(SpecError(spec: .usageBudget, error: error))
        }
        return .success(.object(members))
    }
}
