import Foundation

/// Who holds an admin role, as the role files name them.
struct RoleHolders: Sendable {
    var users = Set<String>()
    var groups = Set<String>()
}

extension Collector {
    /// Roles, Conditional Access, the groups they name, PIM for Groups,
    /// users and their per-user MFA states: in the order their
    /// dependencies need.
    func collectDirectory(_ dir: String) async {
        async let definitions = collectFile(.roleDefinitions, into: dir)
        async let holders = collectRoleHolders(dir)
        async let caGroups = collectConditionalAccess(dir)
        _ = await definitions
        let (roleHolders, complete) = await holders
        let groupsNamed = await caGroups
        let groupMembers = await collectGroups(dir, roleGroups: roleHolders.groups, policyGroups: groupsNamed, rolesComplete: complete)
        let eligibleUsers = await collectGroupEligibilities(dir, roleGroups: roleHolders.groups)
        var admins = roleHolders.users
        for g in roleHolders.groups { admins.formUnion(groupMembers[g] ?? []) }
        admins.formUnion(eligibleUsers)
        // Users last, keeping only the admins' ids: memory stays flat
        // whatever the tenant's size (the reports limit binds anyway).
        guard let known = await collectUsers(dir, keeping: admins) else {
            await ledger.leftOut("perUserMfa.json", "not collected: users.json failed, and per-user MFA states are merged into it")
            return
        }
        await collectPerUserMfa(dir, users: admins.intersection(known).sorted())
    }

    /// users.json; which of `admins` it holds, or nil when it failed.
    func collectUsers(_ dir: String, keeping admins: Set<String>) async -> Set<String>? {
        let ids = IDSet()
        let ok = await collectFile(.users, into: dir) { item throws(CollectError) in
            let raw = Array(item.raw)
            if let r = try JSONScan.members(raw)["id"], let id = JSONScan.string(raw, r), admins.contains(id) { await ids.insert(id) }
        }
        return ok ? await ids.values : nil
    }

    /// Role assignments and eligibilities; the principals holding roles,
    /// and whether both files were read whole.
    func collectRoleHolders(_ dir: String) async -> (RoleHolders, Bool) {
        let holders = HolderSet()
        let each: @Sendable (PageItem) async throws(CollectError) -> Void = { item in
            let o = item.object
            guard let id = o["principalId"] as? String else { return }
            let type = ((o["principal"] as? [String: Any])?["@odata.type"] as? String ?? "").lowercased()
            await holders.add(id, group: type.hasSuffix(".group"), user: type.hasSuffix(".user"))
        }
        async let assigned = collectFile(.roleAssignments, into: dir, each: each)
        async let eligible = collectFile(.roleEligibilitySchedules, into: dir, each: each)
        let assignedOK = await assigned
        let eligibleOK = await eligible
        let complete = assignedOK && eligibleOK
        return (await holders.value, complete)
    }

    /// conditionalAccessPolicies.json, with any authentication strength a
    /// policy only references (no `allowedCombinations`) filled in from
    /// `policies/authenticationStrengthPolicies`. Returns the groups the
    /// policies include or exclude.
    func collectConditionalAccess(_ dir: String) async -> Set<String> {
        // Authentication strengths first: both share the 1-per-second limit.
        var strengths: [String: [UInt8]] = [:]
        do throws(CollectError) {
            try await pages(.authenticationStrengthPolicies, path: CallSpec.authenticationStrengthPolicies.path) { item throws(CollectError) in
                if let id = item.object["id"] as? String { strengths[id] = Array(item.raw) }
            }
            progress.callFinished(CallSpec.authenticationStrengthPolicies.name, detail: "\(strengths.count) items")
        } catch {
            // Only needed for a policy that references a strength by id alone.
            await ledger.skip(CallSpec.authenticationStrengthPolicies.name, why: error.status == 403 ? "permission" : "error",
                              CallSpec.authenticationStrengthPolicies.reason(for: error))
        }
        let groups = IDSet()
        let spec = CallSpec.conditionalAccessPolicies
        let writer: ArrayFileWriter
        do throws(CollectError) { writer = try ArrayFileWriter(path: dir + "/" + spec.file!) } catch { await ledger.setFatal(error); return [] }
        do throws(CollectError) {
            let n = try await pages(spec, path: spec.path) { item throws(CollectError) in
                let policy = item.object
                let users = ((policy["conditions"] as? [String: Any])?["users"] as? [String: Any]) ?? [:]
                for key in ["includeGroups", "excludeGroups"] {
                    for id in users[key] as? [String] ?? [] { await groups.insert(id) }
                }
                try writer.append(Self.fillStrength(item, strengths))
            }
            try writer.finish()
            await ledger.wrote(spec.file!, items: n, source: spec.name)
            progress.callFinished(spec.name, detail: "\(n) items")
        } catch {
            writer.abandon()
            await leftOut(spec.file!, spec, error)
        }
        return await groups.values
    }

    /// The policy's bytes, with `grantControls.authenticationStrength`
    /// replaced by the full strength when the policy carries only its id.
    static func fillStrength(_ item: PageItem, _ strengths: [String: [UInt8]]) throws(CollectError) -> [UInt8] {
        let policy = Array(item.raw)
        guard !strengths.isEmpty, let g = try JSONScan.members(policy)["grantControls"], policy[g.lowerBound] == UInt8(ascii: "{") else { return policy }
        let grant = Array(policy[g])
        guard let s = try JSONScan.members(grant)["authenticationStrength"], grant[s.lowerBound] == UInt8(ascii: "{") else { return policy }
        let strength = Array(grant[s])
        let members = try JSONScan.members(strength)
        guard members["allowedCombinations"] == nil, let idRange = members["id"], let id = JSONScan.string(strength, idRange),
              let full = strengths[id]
        else { return policy }
        let start = g.lowerBound + s.lowerBound
        return Array(policy[..<start]) + full + Array(policy[(start + s.count)...])
    }

    /// groups.json: every group that holds a role or that a policy names,
    /// with `transitiveMembers` (every page). Returns the user members of
    /// each group.
    func collectGroups(_ dir: String, roleGroups: Set<String>, policyGroups: Set<String>, rolesComplete: Bool) async -> [String: Set<String>] {
        let ids = roleGroups.union(policyGroups).sorted()
        let path = dir + "/groups.json"
        let writer: ArrayFileWriter
        do throws(CollectError) { writer = try ArrayFileWriter(path: path) } catch { await ledger.setFatal(error); return [:] }
        var members: [String: Set<String>] = [:]
        var failure: (CallSpec, CollectError)?
        await withTaskGroup(of: (String, Result<([UInt8], Set<String>)?, CollectError>).self) { group in
            var next = 0
            func start() {
                guard next < ids.count else { return }
                let id = ids[next]
                next += 1
                group.addTask { (id, await self.fetchGroup(id)) }
            }
            for _ in 0..<min(8, ids.count) { start() }
            while let (id, result) = await group.next() {
                switch result {
                case .success(let fetched?):
                    do throws(CollectError) { try writer.append(fetched.0) } catch { await ledger.setFatal(error) }
                    members[id] = fetched.1
                case .success(nil):
                    await ledger.skip("group \(id)", why: "notFound", "a role or Conditional Access policy names group \(id), which Graph does not return (deleted?)")
                case .failure(let error):
                    if failure == nil { failure = (error.status == nil ? CallSpec.group : CallSpec.groupMembers, error) }
                }
                start()
            }
        }
        if let (spec, error) = failure {
            writer.abandon()
            await leftOut("groups.json", spec, error)
            return members
        }
        do throws(CollectError) { try writer.finish() } catch { await ledger.setFatal(error) }
        await ledger.wrote("groups.json", items: writer.count, source: "groups, groupTransitiveMembers")
        progress.callFinished("groups", detail: "\(writer.count) groups")
        return members
    }

    /// `{"id", "displayName", "transitiveMembers": [...]}` for one group,
    /// and its user members; nil for a group Graph does not know (404).
    func fetchGroup(_ id: String) async -> Result<([UInt8], Set<String>)?, CollectError> {
        do throws(CollectError) {
            let head = try await get(.group, url: request.endpoints.graph + CallSpec.group.path(id: Self.escape(id)))
            let o = (try? JSONSerialization.jsonObject(with: Data(head.body))) as? [String: Any] ?? [:]
            var raw: [JSONText] = []
            var users = Set<String>()
            try await pages(.groupMembers, path: CallSpec.groupMembers.path(id: Self.escape(id))) { item throws(CollectError) in
                let m = item.object
                if let mid = m["id"] as? String, !((m["@odata.type"] as? String ?? "").lowercased().hasSuffix(".group")) { users.insert(mid) }
                raw.append(.raw(Array(item.raw)))
            }
            let group = JSONText.object([
                ("id", .string(o["id"] as? String ?? id)), ("displayName", .string(o["displayName"] as? String ?? "")),
                ("transitiveMembers", .array(raw)),
            ])
            return .success((group.utf8, users))
        } catch {
            if error.status == 404 { return .success(nil) }
            return .failure(error)
        }
    }

    /// groupEligibilitySchedules.json: PIM for Groups eligibilities of every
    /// group that holds a role (one `$filter` per group). Returns the users eligible.
    func collectGroupEligibilities(_ dir: String, roleGroups: Set<String>) async -> Set<String> {
        let spec = CallSpec.groupEligibilitySchedules
        let writer: ArrayFileWriter
        do throws(CollectError) { writer = try ArrayFileWriter(path: dir + "/" + spec.file!) } catch { await ledger.setFatal(error); return [] }
        var users = Set<String>()
        do throws(CollectError) {
            for id in roleGroups.sorted() {
                try await pages(spec, path: spec.path(id: Self.escape(id))) { item throws(CollectError) in
                    let o = item.object
                    let type = ((o["principal"] as? [String: Any])?["@odata.type"] as? String ?? "").lowercased()
                    if let p = o["principalId"] as? String, !type.hasSuffix(".group") { users.insert(p) }
                    try writer.append(item.raw)
                }
            }
            try writer.finish()
            await ledger.wrote(spec.file!, items: writer.count, source: spec.name)
            progress.callFinished(spec.name, detail: "\(writer.count) items for \(roleGroups.count) groups")
        } catch {
            writer.abandon()
            if error.status == 400 || error.status == 403, Self.isLicenceError(error) {
                do throws(CollectError) { try writeFile(dir + "/" + spec.file!, Array("{\"value\": []}\n".utf8)) } catch { await ledger.setFatal(error) }
                let why = "no Microsoft Entra ID P2 in the tenant (\(error.status!) on \(spec.name)); no group eligibility can exist without it"
                await ledger.wrote(spec.file!, items: 0, source: why)
                await ledger.skip(spec.name, why: "licence", why)
                return users
            }
            await leftOut(spec.file!, spec, error)
        }
        return users
    }

    static func escape(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? id
    }
}

/// A set filled from concurrent page handlers.
actor IDSet {
    private(set) var values = Set<String>()
    func insert(_ id: String) { values.insert(id) }
}

actor HolderSet {
    private(set) var value = RoleHolders()
    func add(_ id: String, group: Bool, user: Bool) {
        if group { value.groups.insert(id) } else if user { value.users.insert(id) } else { value.users.insert(id) }
    }
}
