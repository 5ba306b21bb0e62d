import FakeMicrosoft
import Foundation
import SecScoreCollect
import Testing

@Suite("Collect sign-in", .serialized)
struct SignInTests {
    @Test("Certificate: the fake verifies the signed client assertion")
    func certificate() async throws {
        let (certPEM, keyPEM) = try await makeCertificate()
        let source = try synthTenant(users: 12, admins: 3, customers: 2)
        var options = FakeMicrosoft.Options()
        options.certificatePEM = certPEM
        options.clientSecret = nil
        let cert = try ClientCertificate(certificatePEM: certPEM, keyPEM: keyPEM)
        let output = temporaryFolder("out") + "/snapshot"
        try await withFake(source, options: options) { fake, base in
            let summary = try await collect(base: base, output: output,
                                            method: .certificate(tenant: options.tenantID, clientID: options.clientID, certificate: cert),
                                            settings: settings(matching: source), options: options)
            #expect(summary.leftOut.isEmpty)
            #expect(fake.stats.refusedAssertions.isEmpty)
            #expect(fake.stats.tokens["client_credentials"] == 2, "one token for Graph, one for Partner Center")
        }
        #expect(manifest(output)["signIn"] as? String == "certificate")
    }

    @Test("A certificate the app does not know is refused, and nothing is written")
    func wrongCertificate() async throws {
        let (registered, _) = try await makeCertificate()
        let (otherCert, otherKey) = try await makeCertificate()
        let source = try synthTenant(users: 12, admins: 3, customers: 2)
        var options = FakeMicrosoft.Options()
        options.certificatePEM = registered
        let cert = try ClientCertificate(certificatePEM: otherCert, keyPEM: otherKey)
        let output = temporaryFolder("out") + "/snapshot"
        try await withFake(source, options: options) { fake, base in
            do {
                _ = try await collect(base: base, output: output, method: .certificate(tenant: options.tenantID, clientID: options.clientID, certificate: cert),
                                      settings: settings(matching: source), options: options)
                Issue.record("sign-in should fail")
            } catch let error as CollectError {
                #expect(error.code == .signIn)
                #expect(error.description.contains("invalid_client"))
            }
            #expect(fake.stats.refusedAssertions.first?.contains("x5t") == true)
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test("A key that does not belong to the certificate is refused before any call")
    func mismatchedKey() async throws {
        let (cert, _) = try await makeCertificate()
        let (_, key) = try await makeCertificate()
        #expect(throws: CollectError.self) { try ClientCertificate(certificatePEM: cert, keyPEM: key) }
    }

    @Test("Device code: the prompt is shown, the flow polls until the person signs in")
    func deviceCode() async throws {
        let source = try synthTenant(users: 12, admins: 3, customers: 2)
        let options = FakeMicrosoft.Options()
        let output = temporaryFolder("out") + "/snapshot"
        let prompts = DataBox()
        try await withFake(source, options: options) { fake, base in
            let summary = try await collect(base: base, output: output, method: .deviceCode(tenant: options.tenantID, clientID: options.clientID),
                                            settings: settings(matching: source), options: options,
                                            prompt: { prompts.set(Data($0.utf8)) })
            #expect(summary.leftOut.isEmpty)
            #expect(fake.stats.tokens["device_code"] == 1)
            #expect(fake.stats.tokens["refresh_token"] == 1, "Partner Center's token comes from the refresh token, no second prompt")
        }
        #expect(String(decoding: prompts.value, as: UTF8.self).contains("FAKE-CODE"))
    }

    @Test("--token-command: the printed token is used as it is")
    func tokenCommand() async throws {
        let source = try synthTenant(users: 12, admins: 3, customers: 2)
        var options = FakeMicrosoft.Options()
        options.staticToken = "static-token-from-a-cli"
        let output = temporaryFolder("out") + "/snapshot"
        try await withFake(source, options: options) { fake, base in
            let summary = try await collect(base: base, output: output,
                                            method: .tokenCommand(#"test -n "$SECSCORE_TOKEN_SCOPE" && echo '{"accessToken": "static-token-from-a-cli"}'"#),
                                            settings: settings(matching: source), options: options)
            #expect(summary.leftOut.isEmpty)
            #expect(fake.stats.tokens.isEmpty)
        }
    }

    @Test("No secret or token reaches stdout, stderr, the snapshot or collection.json")
    func noSecretLeaks() async throws {
        let source = try synthTenant(users: 12, admins: 3, customers: 2)
        var options = FakeMicrosoft.Options()
        options.clientSecret = "s3cr3t-Value-that-must-not-leak"
        let output = temporaryFolder("out") + "/snapshot"
        try await withFake(source, options: options) { fake, base in
            var env = ProcessInfo.processInfo.environment
            env["AZURE_CLIENT_SECRET"] = options.clientSecret!
            let out = try await runAndCaptureCLI([
                "collect", output, "--tenant", options.tenantID, "--client-id", options.clientID,
                "--graph-endpoint", base, "--partner-center-endpoint", base, "--authority", base,
            ], environment: env)
            #expect(out.status == 3, "written, with partner facts and the contact left out: \(out.stderr)")
            #expect(fake.stats.tokens["client_credentials"] == 2)
            var everything = out.stdout + out.stderr
            for name in try FileManager.default.contentsOfDirectory(atPath: output) {
                everything += try String(contentsOfFile: output + "/" + name, encoding: .utf8)
            }
            #expect(!everything.contains(options.clientSecret!))
            #expect(!everything.contains("fake-"), "no token the fake issued (they start with fake-)")
            #expect(!everything.lowercased().contains("bearer"))
        }
    }
}

@Suite("Collect endpoints")
struct CloudEndpointTests {
    @Test("Plain http only for loopback")
    func loopbackOnly() throws {
        #expect(throws: CollectError.self) {
            try CloudEndpoints(graph: "http://graph.example.com", partnerCenter: "https://a.example", authority: "https://b.example").validate()
        }
        try CloudEndpoints(graph: "http://127.0.0.1:8080", partnerCenter: "http://localhost:1", authority: "http://[::1]:2").validate()
        #expect(throws: CollectError.self) {
            try CloudEndpoints(graph: "http://127.0.0.1.example.com", partnerCenter: "https://a.example", authority: "https://b.example").validate()
        }
    }

    @Test("National clouds use Microsoft's documented hosts and scopes")
    func clouds() {
        #expect(CloudEndpoints(cloud: .china).graphScope == "https://microsoftgraph.chinacloudapi.cn/.default")
        #expect(CloudEndpoints(cloud: .usgovhigh).authority == "https://login.microsoftonline.us")
        #expect(CloudEndpoints(cloud: .dod).graph == "https://dod-graph.microsoft.us")
        #expect(CloudEndpoints(cloud: .global).partnerCenterScope == "https://api.partnercenter.microsoft.com/.default")
    }

    @Test("Retry-After as seconds and as an HTTP date")
    func retryAfter() {
        #expect(RetryPolicy.parseRetryAfter("7") == 7)
        let now = Date(timeIntervalSince1970: 1_445_412_470)  // 2015-10-21 07:27:50 GMT
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == 10)
        let d = RetryPolicy(baseDelay: 1, maxDelay: 8).delay(attempt: 3, retryAfter: nil)
        #expect(d >= 2 && d <= 4)
    }
}

@Suite("Collect JSON scanning")
struct JSONScanTests {
    @Test("Keys and strings unescape as JSON says, without building the items")
    func unescape() throws {
        let text = #"{"a\"b": "x\\y\/z\n\u00e9\ud83d\ude00", "value": [ {"id": 1}, [2, "]"], "}" ], "n": null}"#
        let bytes = Array(text.utf8)
        let members = try JSONScan.members(bytes)
        #expect(Set(members.keys) == ["a\"b", "value", "n"])
        #expect(JSONScan.string(bytes, members["a\"b"]!) == "x\\y/z\né😀")
        let items = try JSONScan.elements(bytes, members["value"]!)
        #expect(items.map { String(decoding: bytes[$0], as: UTF8.self) } == [#"{"id": 1}"#, #"[2, "]"]"#, #""}""#])
        #expect(throws: CollectError.self) { try JSONScan.members(Array(#"{"a": "unterminated}"#.utf8)) }
    }
}
