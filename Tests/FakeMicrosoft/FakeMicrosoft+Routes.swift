import Foundation
import HTTPTypes
import Hummingbird
import SecScoreCollect

extension FakeMicrosoft {
    /// The collect call a request belongs to (the names collection.json uses).
    static func callName(path: String, query: String, method: HTTPRequest.Method) -> String {
        if path == "/beta/$batch" { return "perUserMfaBatch" }
        if path.hasSuffix("/authentication/requirements") { return "perUserMfa" }
        if path.hasSuffix("/transitiveMembers") { return "groupTransitiveMembers" }
        if path.hasPrefix("/v1.0/groups/") { return "groups" }
        if path.hasPrefix("/v1/customers/") && path.hasSuffix("/subscriptions") { return "subscriptions" }
        if path.hasSuffix("/usagebudget") { return "usagebudget" }
        if path == "/v1/customers" { return "customers" }
        let known: [(String, String)] = [
            ("/roleManagement/directory/roleDefinitions", "roleDefinitions"), ("/roleManagement/directory/roleAssignments", "roleAssignments"),
            ("/roleManagement/directory/roleEligibilitySchedules", "roleEligibilitySchedules"), ("/users", "users"),
            ("/privilegedAccess/group/eligibilitySchedules", "groupEligibilitySchedules"),
            ("/reports/authenticationMethods/userRegistrationDetails", "userRegistrationDetails"),
            ("/policies/identitySecurityDefaultsEnforcementPolicy", "securityDefaults"),
            ("/identity/conditionalAccess/policies", "conditionalAccessPolicies"),
            ("/policies/authenticationStrengthPolicies", "authenticationStrengthPolicies"),
            ("/security/partner/securityAlerts", "securityAlerts"), ("/securityScore/requirements", "securityScoreRequirements"),
            ("/securityScore/history", "securityScoreHistory"), ("/securityScore/customerInsights", "customerInsights"),
            ("/security/partner/securityScore", "securityScore"),
        ]
        return known.first { path.hasSuffix($0.0) }?.1 ?? path
    }

    /// Which published limit a path falls under.
    static func throttleClass(path: String) -> String {
        if path.hasPrefix("/v1/") { return "partnerCenter" }
        if path.contains("/reports/") { return "reports" }
        if path.contains("/identity/conditionalAccess/") || path.contains("/policies/authenticationStrengthPolicies") { return "conditionalAccess" }
        if path.contains("/security/partner/") { return "partnerSecurity" }
        return "directory"
    }

    /// Resource units of an identity request (Graph throttling-limits page).
    static func units(path: String, query: String) -> Int {
        var cost = 1
        if path.hasSuffix("/transitiveMembers") { cost = 5 } else if path.hasSuffix("/members") { cost = 3 } else if path == "/v1.0/users" { cost = 2 }
        let q = query.removingPercentEncoding ?? query
        if q.contains("$select=") { cost -= 1 }
        if q.contains("$expand=") { cost += 1 }
        return max(1, cost)
    }

    func graph(path: String, query: String) -> Response {
        let version = path.hasPrefix("/beta/") ? "beta" : "v1.0"
        let p = String(path.dropFirst(version.count + 1))
        let expand = (query.removingPercentEncoding ?? query).contains("$expand=principal")
        switch p {
        case "/roleManagement/directory/roleDefinitions":
            return page(tenant.roleDefinitions, path: path, query: query, context: "roleManagement/directory/roleDefinitions")
        case "/roleManagement/directory/roleAssignments":
            return page(expand ? tenant.roleAssignments.map(tenant.expanded) : tenant.roleAssignments, path: path, query: query,
                        context: "roleManagement/directory/roleAssignments(principal())")
        case "/roleManagement/directory/roleEligibilitySchedules":
            return page(expand ? tenant.roleEligibilitySchedules.map(tenant.expanded) : tenant.roleEligibilitySchedules, path: path, query: query,
                        context: "roleManagement/directory/roleEligibilitySchedules(principal())")
        case "/users":
            return page(tenant.users, path: path, query: query, context: "users")
        case "/reports/authenticationMethods/userRegistrationDetails":
            return page(tenant.registrationDetails, path: path, query: query, context: "reports/authenticationMethods/userRegistrationDetails")
        case "/policies/identitySecurityDefaultsEnforcementPolicy":
            return json(200, tenant.securityDefaults)
        case "/identity/conditionalAccess/policies":
            return page(tenant.policies, path: path, query: query, context: "conditionalAccess/policies")
        case "/policies/authenticationStrengthPolicies":
            return page(Self.builtInStrengths, path: path, query: query, context: "policies/authenticationStrengthPolicies")
        case "/identityGovernance/privilegedAccess/group/eligibilitySchedules":
            let filter = Self.query(query)["$filter"] ?? ""
            guard let open = filter.firstIndex(of: "'"), let close = filter.lastIndex(of: "'"), open < close, filter.hasPrefix("groupId eq ") else {
                // Graph refuses this list without a groupId or principalId filter.
                return json(400, Self.graphError("BadRequest", "The request requires a filter on groupId or principalId."))
            }
            let id = String(filter[filter.index(after: open)..<close])
            let items = tenant.groupEligibilities.filter { $0.groupId == id }.map { expand ? tenant.expanded($0.item) : $0.item }
            return page(items, path: path, query: query, context: "identityGovernance/privilegedAccess/group/eligibilitySchedules")
        case "/security/partner/securityAlerts":
            return page(tenant.alerts, path: path, query: query, context: "security/partner/securityAlerts")
        case "/security/partner/securityScore":
            return json(200, Array(#"{"value":{"id":"score","currentScore":"60","maxScore":100,"lastRefreshDateTime":"2025-11-14T00:00:00Z"}}"#.utf8))
        case "/security/partner/securityScore/requirements":
            let status = tenant.securityContactProvided ? "compliant" : "noncomplaint"
            let item = Array(#"{"id":"securityContactProvided","requirementType":"securityContactProvided","complianceStatus":"\#(status)","score":"\#(tenant.securityContactProvided ? 20 : 0)","maxScore":20,"state":"active","updatedDateTime":"2025-11-14T00:00:00Z"}"#.utf8)
            return page([item], path: path, query: query, context: "security/partner/securityScore/requirements")
        case "/security/partner/securityScore/history":
            return page([Array(#"{"id":"h1","createdDateTime":"2025-11-01T00:00:00Z","score":"55","compliantRequirementsCount":2,"totalRequirementsCount":5}"#.utf8)],
                        path: path, query: query, context: "security/partner/securityScore/history")
        case "/security/partner/securityScore/customerInsights":
            return page(tenant.customerInsights, path: path, query: query, context: "security/partner/securityScore/customerInsights")
        default:
            break
        }
        let segments = p.split(separator: "/").map(String.init)
        if segments.count >= 2, segments[0] == "groups" {
            let id = segments[1].removingPercentEncoding ?? segments[1]
            guard let group = tenant.groups[id] else {
                return json(404, Self.graphError("Request_ResourceNotFound", "Resource '\(id)' does not exist or one of its queried reference-property objects are not present."))
            }
            if segments.count == 2 {
                return json(200, JSONText.object([
                    ("@odata.context", .string(state.base + "/v1.0/$metadata#groups(id,displayName)/$entity")),
                    ("id", .string(id)), ("displayName", .string(group.name)),
                ]).utf8)
            }
            if segments.count == 3, segments[2] == "transitiveMembers" {
                let items = tenant.transitiveMembers(id).map { m in
                    JSONText.object([("@odata.type", .string(m.group ? "#microsoft.graph.group" : "#microsoft.graph.user")), ("id", .string(m.id))]).utf8
                }
                return page(items, path: path, query: query, context: "directoryObjects(id)")
            }
        }
        if segments.count == 4, segments[0] == "users", segments[2] == "authentication", segments[3] == "requirements" {
            return requirements(segments[1].removingPercentEncoding ?? segments[1])
        }
        return json(404, Self.graphError("BadRequest", "Resource not found for the segment '\(p)'."))
    }

    func requirements(_ id: String) -> Response {
        guard tenant.principals[id] != nil else {
            return json(404, Self.graphError("Request_ResourceNotFound", "Resource '\(id)' does not exist."))
        }
        return json(200, Array(#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#users('\#(id)')/authentication/requirements/$entity","perUserMfaState":"\#(tenant.perUserMfa[id] ?? "disabled")"}"#.utf8))
    }

    /// JSON batching: up to 20 requests; each answered as it would be alone
    /// (an injected `perUserMfaBatchItem` fault answers 429 inside the batch).
    func batch(_ body: [UInt8]) -> Response {
        let requests = ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any])?["requests"] as? [[String: Any]] ?? []
        guard requests.count <= 20 else { return json(400, Self.graphError("BadRequest", "Maximum number of requests in a batch is 20.")) }
        var responses: [JSONText] = []
        for r in requests {
            let id = r["id"] as? String ?? ""
            let url = r["url"] as? String ?? ""
            if let fault = state.takeFault("perUserMfaBatchItem"), case .throttled(let seconds) = fault {
                responses.append(.object([("id", .string(id)), ("status", .number(429)),
                                          ("headers", .object([("Retry-After", .string(String(seconds ?? 1)))])),
                                          ("body", .raw(Self.graphError("TooManyRequests", "throttled")))]))
                continue
            }
            let segments = url.split(separator: "/").map(String.init)
            guard segments.count == 4, segments[0] == "users" else {
                responses.append(.object([("id", .string(id)), ("status", .number(400)), ("body", .raw(Self.graphError("BadRequest", "unsupported")))]))
                continue
            }
            let uid = segments[1].removingPercentEncoding ?? segments[1]
            let answer = requirements(uid)
            let status = Int(answer.status.code)
            let mfaState = tenant.perUserMfa[uid] ?? "disabled"
            responses.append(.object([
                ("id", .string(id)), ("status", .number(Double(status))), ("headers", .object([("Content-Type", .string("application/json"))])),
                ("body", status == 200 ? .object([("perUserMfaState", .string(mfaState))]) : .raw(Self.graphError("Request_ResourceNotFound", "no user"))),
            ]))
        }
        return json(200, JSONText.object([("responses", .array(responses))]).utf8)
    }

    /// Partner Center: customers (`items`, `links.next` with a continuation
    /// token header), subscriptions, usage budgets.
    func partnerCenter(path: String, query: String, request: Request) -> Response {
        let segments = path.split(separator: "/").map(String.init)  // v1, customers, id, ...
        if segments == ["v1", "customers"] {
            let size = min(Self.query(query)["size"].flatMap(Int.init) ?? 500, options.pageSize)
            var offset = 0
            if let token = request.headers[HTTPField.Name("MS-ContinuationToken")!] {
                guard token.hasPrefix("offset:"), let n = Int(token.dropFirst(7)) else {
                    return json(400, Array(#"{"code":400,"description":"bad continuation token"}"#.utf8))
                }
                offset = n
            }
            let slice = tenant.customers.dropFirst(offset).prefix(size)
            let items: [JSONText] = slice.map { c in
                .object([
                    ("id", .string(c.id)),
                    ("companyProfile", .object([("tenantId", .string(c.id)), ("domain", .string(c.id + ".onmicrosoft.example")), ("companyName", .string(c.name))])),
                    ("relationshipToPartner", .string("reseller")), ("attributes", .object([("objectType", .string("Customer"))])),
                ])
            }
            var members: [(String, JSONText)] = [("totalCount", .number(Double(slice.count))), ("items", .array(items))]
            var links: [(String, JSONText)] = [("self", .object([("uri", .string("/customers?size=\(size)")), ("method", .string("GET")), ("headers", .array([]))]))]
            if offset + slice.count < tenant.customers.count {
                links.append(("next", .object([
                    ("uri", .string("/customers?size=\(size)&seekOperation=Next")), ("method", .string("GET")),
                    ("headers", .array([.object([("key", .string("MS-ContinuationToken")), ("value", .string("offset:\(offset + slice.count)"))])])),
                ])))
            }
            members.append(("links", .object(links)))
            members.append(("attributes", .object([("objectType", .string("Collection"))])))
            return json(200, JSONText.object(members).utf8)
        }
        guard segments.count == 4, segments[1] == "customers", let customer = tenant.customers.first(where: { $0.id == segments[2] }) else {
            return json(404, Array(#"{"code":600008,"description":"The requested customer was not found."}"#.utf8))
        }
        switch segments[3] {
        case "subscriptions":
            var items: [JSONText] = customer.azureSubscriptions.map { sid in
                .object([("id", .string(sid)), ("offerId", .string("DZH318Z0BPS6:0001:DZH318Z0C3JS")), ("offerName", .string("Azure plan")),
                         ("billingType", .string("usage")), ("status", .string("active")), ("attributes", .object([("objectType", .string("Subscription"))]))])
            }
            // Every customer also has a licence-based subscription, which is not Azure.
            items.append(.object([("id", .string("m365-" + customer.id)), ("offerId", .string("CFQ7TTC0LH18:0001")), ("offerName", .string("Microsoft 365 Business Basic")),
                                  ("billingType", .string("license")), ("status", .string("active"))]))
            return json(200, JSONText.object([("totalCount", .number(Double(items.count))), ("items", .array(items)),
                                              ("links", .object([])), ("attributes", .object([("objectType", .string("Collection"))]))]).utf8)
        case "usagebudget":
            return json(200, JSONText.object([("amount", customer.budget.map { JSONText.number($0) } ?? JSONText.null),
                                              ("attributes", .object([("objectType", .string("SpendingBudget"))]))]).utf8)
        default:
            return json(404, Array(#"{"code":404,"description":"not found"}"#.utf8))
        }
    }

    /// The three built-in authentication strengths (ids as Microsoft publishes them).
    static let builtInStrengths: [[UInt8]] = [
        Array(#"{"id":"00000000-0000-0000-0000-000000000002","displayName":"Multifactor authentication","policyType":"builtIn","requirementsSatisfied":"mfa","allowedCombinations":["windowsHelloForBusiness","fido2","x509CertificateMultiFactor","deviceBasedPush","temporaryAccessPassOneTime","temporaryAccessPassMultiUse","password,microsoftAuthenticatorPush","password,softwareOath","password,hardwareOath","password,sms","password,voice","federatedMultiFactor","microsoftAuthenticatorPush,federatedSingleFactor","softwareOath,federatedSingleFactor","hardwareOath,federatedSingleFactor","sms,federatedSingleFactor","voice,federatedSingleFactor"]}"#.utf8),
        Array(#"{"id":"00000000-0000-0000-0000-000000000003","displayName":"Passwordless MFA","policyType":"builtIn","requirementsSatisfied":"mfa","allowedCombinations":["windowsHelloForBusiness","fido2","x509CertificateMultiFactor","deviceBasedPush"]}"#.utf8),
        Array(#"{"id":"00000000-0000-0000-0000-000000000004","displayName":"Phishing-resistant MFA","policyType":"builtIn","requirementsSatisfied":"mfa","allowedCombinations":["windowsHelloForBusiness","fido2","x509CertificateMultiFactor"]}"#.utf8),
    ]
}
