import PluginHost
import SecScoreTestSupport
import SecScoreWire
import Testing

@Suite("Example plugins through the real host")
struct ExamplePluginTests {
    @Test func swiftExampleRoundTrips() async throws {
        try await withLeakCheck {
            let connection = try await PluginConnection.launch(
                PluginExecutable(path: product("example-plugin-swift")), configuration: fastConfiguration())
            #expect(connection.info.name == "example-global-admin-count")
            #expect(connection.info.requirementIDs == ["example.globalAdminCount"])
            #expect(connection.info.sdk.hasPrefix("secscore-swift"))
            #expect(connection.info.maxConcurrentRequests == 4)

            let finding = try await connection.evaluate(
                request("example.globalAdminCount", facets: globalAdmins(["Ada", "Grace"])))
            #expect(finding.status == .compliant)
            #expect(finding.requirementID == "example.globalAdminCount")
            #expect(finding.evidence.metrics.first?.value == 2)
            #expect(finding.evidence.items.map(\.name).sorted() == ["Ada", "Grace"])

            let lonely = try await connection.evaluate(request("example.globalAdminCount", facets: globalAdmins(["Ada"])))
            #expect(lonely.status == .notCompliant)
            #expect(lonely.insights.first?.contains("Only one") == true)

            let crowd = try await connection.evaluate(
                request("example.globalAdminCount", facets: globalAdmins(["A", "B", "C", "D", "E"])))
            #expect(crowd.status == .notCompliant)
            #expect(await connection.shutdown() == .exited(0))
        }
    }

    @Test func cExampleRoundTrips() async throws {
        try await withLeakCheck {
            let connection = try await PluginConnection.launch(
                PluginExecutable(path: product("example-plugin-c")), configuration: fastConfiguration())
            #expect(connection.info.name == "example-contact-domain")
            #expect(connection.info.sdk.hasPrefix("secscore-c"))
            #expect(connection.info.maxConcurrentRequests == 1)
            #expect(connection.info.manifest.checks.first?.requiredFacets == [.securityContact])

            var facets = Secscore_Tenant_V1_Facets()
            facets.securityContact.name = "SOC"
            facets.securityContact.email = "soc@contoso.com"
            let good = try await connection.evaluate(request("example.contactDomain", facets: facets))
            #expect(good.status == .compliant)
            #expect(good.insights == ["The security contact uses the organisation's own domain (contoso.com)."])

            facets.securityContact.email = "someone@Gmail.com"
            let bad = try await connection.evaluate(request("example.contactDomain", facets: facets))
            #expect(bad.status == .notCompliant)
            #expect(bad.evidence.items.first?.reasons == ["Gmail.com is a free-mail domain"])

            let none = try await connection.evaluate(request("example.contactDomain"))
            #expect(none.status == .couldNotCheck)
            #expect(await connection.shutdown() == .exited(0))
        }
    }

    @Test func manyConcurrentRequestsAllAnswered() async throws {
        try await withLeakCheck {
            for path in ["example-plugin-swift", "example-plugin-c"] {
                let connection = try await PluginConnection.launch(
                    PluginExecutable(path: product(path)), configuration: fastConfiguration())
                let requirement = connection.info.requirementIDs[0]
                let statuses = try await withThrowingTaskGroup(of: Secscore_Plugin_V1_FindingStatus.self) { group in
                    for i in 0..<200 {
                        group.addTask {
                            var facets = globalAdmins(Array(repeating: "x", count: i % 6))
                            facets.securityContact.email = i.isMultiple(of: 2) ? "a@contoso.com" : "b@gmail.com"
                            return try await connection.evaluate(request(requirement, facets: facets)).status
                        }
                    }
                    var all: [Secscore_Plugin_V1_FindingStatus] = []
                    for try await s in group { all.append(s) }
                    return all
                }
                #expect(statuses.count == 200)
                #expect(connection.statistics.responsesReceived == 200)
                await connection.shutdown()
            }
        }
    }
}
