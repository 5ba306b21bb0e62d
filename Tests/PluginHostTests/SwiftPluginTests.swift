import PluginHost
import SecScoreWire
import Testing

@Suite("Swift example plugin through the real host", .serialized)
struct SwiftPluginTests {
    @Test func handshakeEvaluateShutdown() async throws {
        let connection = try await PluginConnection.launch(
            PluginExecutable(path: product("example-plugin-swift")), configuration: fastConfiguration())
        #expect(connection.info.name == "example-global-admin-count")
        #expect(connection.info.requirementIDs == ["example.globalAdminCount"])
        #expect(connection.info.sdk.hasPrefix("secscore-swift"))

        let finding = try await connection.evaluate(
            request("example.globalAdminCount", facets: globalAdmins(["Ada", "Grace"])))
        #expect(finding.status == .compliant)
        #expect(finding.requirementID == "example.globalAdminCount")
        #expect(finding.evidence.metrics.first?.value == 2)

        let lonely = try await connection.evaluate(request("example.globalAdminCount", facets: globalAdmins(["Ada"])))
        #expect(lonely.status == .notCompliant)
        #expect(lonely.insights.first?.contains("Only one") == true)

        let status = await connection.shutdown()
        #expect(status == .exited(0))
        #expect(childProcesses().isEmpty)
    }
}
