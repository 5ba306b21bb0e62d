public import PluginHost
import SecScoreWire
import SwiftProtobuf

/// The result of one conformance case.
public struct ConformanceResult: Sendable, Hashable {
    public var name: String
    public var passed: Bool
    /// What was checked, or what went wrong.
    public var detail: String
}

/// Checks that a plugin executable follows docs/PROTOCOL.md, one fresh
/// process per case, sending what a correct host never would.
public struct ConformanceSuite: Sendable {
    public var executable: PluginExecutable
    /// How long a case waits for the plugin to answer.
    public var timeout: Duration

    public init(executable: PluginExecutable, timeout: Duration = .seconds(5)) {
        self.executable = executable
        self.timeout = timeout
    }

    /// The names of the cases, in the order they run.
    public static let caseNames = [
        "describe", "handshake", "version mismatch", "ping", "unknown frame type",
        "unknown requirement", "fragmented request", "request", "cancel", "deadline",
        "oversized frame", "end of stdin", "stdout hygiene",
    ]

    /// Runs every case and returns one result each.
    public func run() -> [ConformanceResult] {
        var results: [ConformanceResult] = []
        let describe = caseDescribe()
        results.append(describe.result)
        let handshake = caseHandshake(describedManifest: describe.manifest)
        results.append(handshake.result)
        guard let requirement = handshake.welcome?.manifest.checks.first?.requirementID else {
            for name in Self.caseNames.dropFirst(2) {
                results.append(ConformanceResult(name: name, passed: false, detail: "skipped: no valid WELCOME"))
            }
            return results
        }
        results.append(caseVersionMismatch())
        results.append(casePing())
        results.append(caseUnknownFrameType())
        results.append(caseUnknownRequirement())
        results.append(caseFragmentedRequest(requirement))
        results.append(caseRequest(requirement))
        results.append(caseCancel(requirement))
        results.append(caseDeadline(requirement))
        results.append(caseOversizedFrame())
        results.append(caseEndOfStdin(requirement))
        results.append(caseStdoutHygiene(requirement))
        return results
    }

    // MARK: Cases

    func caseDescribe() -> (result: ConformanceResult, manifest: Secscore_Plugin_V1_Manifest?) {
        let name = "describe"
        var describe = executable
        describe.arguments = ["--describe"]
        do {
            // --describe prints JSON, not frames: read stdout raw.
            let session = try RawSession(describe)
            session.closeStdin()
            let output = session.drainStdout(timeout: timeout)
            guard session.waitForExit(timeout: timeout) == .exited(0) else {
                return (fail(name, "--describe did not exit 0 within \(timeout)"), nil)
            }
            let text = String(decoding: output, as: UTF8.self)
            var options = JSONDecodingOptions()
            options.ignoreUnknownFields = true
            let welcome = try Secscore_Plugin_V1_Welcome(jsonString: text, options: options)
            guard !welcome.manifest.checks.isEmpty else {
                return (fail(name, "--describe printed a manifest with no checks"), nil)
            }
            return (pass(name, "--describe printed a Welcome with \(welcome.manifest.checks.count) check(s) and exited 0"), welcome.manifest)
        } catch {
            return (fail(name, "--describe output is not a Welcome in protobuf JSON: \(error)"), nil)
        }
    }

    func caseHandshake(describedManifest: Secscore_Plugin_V1_Manifest?) -> (result: ConformanceResult, welcome: Secscore_Plugin_V1_Welcome?) {
        let name = "handshake"
        return withSession(name) { session in
            guard let welcome = try handshake(session) else {
                return (fail(name, "no WELCOME within \(timeout) of HELLO"), nil)
            }
            guard welcome.protocolMajor == ProtocolLimits.protocolMajor else {
                return (fail(name, "WELCOME chose protocol major \(welcome.protocolMajor); HELLO offered only 1"), nil)
            }
            if let describedManifest, describedManifest != welcome.manifest {
                return (fail(name, "the WELCOME manifest differs from the --describe manifest"), nil)
            }
            let ids = welcome.manifest.checks.map(\.requirementID)
            return (pass(name, "WELCOME \(welcome.pluginName) \(welcome.pluginVersion) declares \(ids.joined(separator: ", "))"), welcome)
        } failed: { ($0, nil) }
    }

    func caseVersionMismatch() -> ConformanceResult {
        let name = "version mismatch"
        return withSession(name) { session in
            var hello = standardHello()
            hello.protocolMajors = [99]
            session.send(.hello, payload: try hello.serializedBytes())
            guard let message = try session.receive(timeout: timeout) else {
                return fail(name, "no GOAWAY after a HELLO offering only protocol 99")
            }
            guard message.type == .goAway else {
                return fail(name, "answered a HELLO offering only protocol 99 with \(message.type), expected GOAWAY")
            }
            let goAway = try Secscore_Plugin_V1_GoAway(serializedBytes: message.payload)
            guard goAway.supportedMajors.contains(1), !goAway.reason.isEmpty else {
                return fail(name, "GOAWAY should give a reason and list supported majors (got \(goAway.supportedMajors))")
            }
            guard session.waitForExit(timeout: timeout) != nil else {
                return fail(name, "sent GOAWAY but did not exit")
            }
            return pass(name, "GOAWAY: \(goAway.reason)")
        } failed: { $0 }
    }

    func casePing() -> ConformanceResult {
        let name = "ping"
        return withSession(name) { session in
            guard try handshake(session) != nil else { return fail(name, "no WELCOME") }
            var ping = Secscore_Plugin_V1_Ping()
            ping.nonce = 0xDEAD_BEEF
            session.send(.ping, id: 7, payload: try ping.serializedBytes())
            guard let message = try receiveSkippingLogs(session), message.type == .pong, message.requestID == 7,
                  try Secscore_Plugin_V1_Ping(serializedBytes: message.payload).nonce == 0xDEAD_BEEF
            else { return fail(name, "no PONG echoing id 7 and the nonce") }
            return pass(name, "PONG echoed the id and nonce")
        } failed: { $0 }
    }

    func caseUnknownFrameType() -> ConformanceResult {
        let name = "unknown frame type"
        return withSession(name) { session in
            guard try handshake(session) != nil else { return fail(name, "no WELCOME") }
            session.send(FrameType(rawValue: 0x7F), id: 0, payload: [1, 2, 3, 4])
            session.send(.ping, id: 9, payload: [])
            guard let message = try receiveSkippingLogs(session), message.type == .pong, message.requestID == 9 else {
                return fail(name, "after a frame of unknown type 0x7F, PING got no PONG: unknown types must be skipped")
            }
            return pass(name, "skipped frame type 0x7F and kept serving")
        } failed: { $0 }
    }

    func caseUnknownRequirement() -> ConformanceResult {
        let name = "unknown requirement"
        return withSession(name) { session in
            guard try handshake(session) != nil else { return fail(name, "no WELCOME") }
            session.send(.request, id: 1, payload: try request("conformance.noSuchRequirement").serializedBytes())
            guard let response = try receiveResponse(session, id: 1) else { return fail(name, "no RESPONSE for request 1") }
            guard case .error(let error) = response.result else {
                return fail(name, "answered a requirement it does not declare with a finding")
            }
            return pass(name, "answered with \(error.code)")
        } failed: { $0 }
    }

    func caseFragmentedRequest(_ requirement: String) -> ConformanceResult {
        let name = "fragmented request"
        return withSession(name) { session in
            guard try handshake(session) != nil else { return fail(name, "no WELCOME") }
            let payload: [UInt8] = try request(requirement).serializedBytes()
            // Split into fragments of 7 bytes: the plugin must join them.
            session.send(.request, id: 1, payload: payload, maxFrameBytes: 7)
            guard let response = try receiveResponse(session, id: 1) else {
                return fail(name, "no RESPONSE to a REQUEST sent in \((payload.count + 6) / 7) fragments")
            }
            if case .error(let e) = response.result, e.code == .invalidArgument {
                return fail(name, "rejected a fragmented request as invalid: \(e.message)")
            }
            return pass(name, "joined \((payload.count + 6) / 7) fragments and answered")
        } failed: { $0 }
    }

    func caseRequest(_ requirement: String) -> ConformanceResult {
        let name = "request"
        return withSession(name) { session in
            guard try handshake(session) != nil else { return fail(name, "no WELCOME") }
            session.send(.request, id: 1, payload: try request(requirement).serializedBytes())
            guard let response = try receiveResponse(session, id: 1) else { return fail(name, "no RESPONSE for request 1") }
            switch response.result {
            case .finding(let finding):
                guard finding.requirementID == requirement else {
                    return fail(name, "finding names requirement \(finding.requirementID), not \(requirement)")
                }
                guard [.compliant, .notCompliant, .couldNotCheck].contains(finding.status) else {
                    return fail(name, "finding has status \(finding.status.rawValue)")
                }
                return pass(name, "answered \(requirement) with empty facets: \(finding.status)")
            case .error(let error):
                return pass(name, "answered \(requirement) with empty facets: error \(error.code)")
            case nil:
                return fail(name, "RESPONSE holds neither a finding nor an error")
            }
        } failed: { $0 }
    }

    func caseCancel(_ requirement: String) -> ConformanceResult {
        let name = "cancel"
        return withSession(name) { session in
            guard try handshake(session) != nil else { return fail(name, "no WELCOME") }
            session.send(.request, id: 1, payload: try request(requirement).serializedBytes())
            session.send(.cancel, id: 1, payload: try Secscore_Plugin_V1_Cancel().serializedBytes())
            guard try receiveResponse(session, id: 1) != nil else { return fail(name, "no RESPONSE after CANCEL") }
            if let extra = try receiveResponse(session, id: 1, timeout: .milliseconds(300)) {
                return fail(name, "sent a second RESPONSE for request 1 (\(String(describing: extra.result)))")
            }
            return pass(name, "exactly one RESPONSE for a cancelled request")
        } failed: { $0 }
    }

    func caseDeadline(_ requirement: String) -> ConformanceResult {
        let name = "deadline"
        return withSession(name) { session in
            guard try handshake(session) != nil else { return fail(name, "no WELCOME") }
            var r = request(requirement)
            r.deadlineMs = 1
            session.send(.request, id: 1, payload: try r.serializedBytes())
            guard let response = try receiveResponse(session, id: 1) else {
                return fail(name, "no RESPONSE to a request with a 1 ms deadline")
            }
            if try receiveResponse(session, id: 1, timeout: .milliseconds(300)) != nil {
                return fail(name, "sent a second RESPONSE for request 1")
            }
            let what: String
            switch response.result {
            case .error(let e): what = "error \(e.code)"
            case .finding(let f): what = "finding \(f.status)"
            case nil: what = "an empty response"
            }
            return pass(name, "one RESPONSE (\(what)) to a 1 ms deadline")
        } failed: { $0 }
    }

    func caseOversizedFrame() -> ConformanceResult {
        let name = "oversized frame"
        return withSession(name) { session in
            guard try handshake(session) != nil else { return fail(name, "no WELCOME") }
            // A header announcing 4 GiB: the plugin must not wait for or
            // allocate it, but end the session.
            session.write([0xF5, 0x53, 0x10, 0x00, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xF0])
            if let message = try session.receive(timeout: timeout), message.type != .goAway {
                return fail(name, "answered an oversized frame with \(message.type); expected GOAWAY or exit")
            }
            guard let status = session.waitForExit(timeout: timeout) else {
                return fail(name, "kept running after a frame announcing 4294967280 bytes")
            }
            return pass(name, "rejected a frame announcing 4294967280 bytes (\(status))")
        } failed: { $0 }
    }

    func caseEndOfStdin(_ requirement: String) -> ConformanceResult {
        let name = "end of stdin"
        return withSession(name) { session in
            guard try handshake(session) != nil else { return fail(name, "no WELCOME") }
            session.closeStdin()
            guard let status = session.waitForExit(timeout: timeout) else {
                return fail(name, "still running \(timeout) after its stdin closed")
            }
            guard status == .exited(0) else { return fail(name, "\(status) after its stdin closed; expected status 0") }
            return pass(name, "exited 0 when stdin closed")
        } failed: { $0 }
    }

    func caseStdoutHygiene(_ requirement: String) -> ConformanceResult {
        let name = "stdout hygiene"
        return withSession(name) { session in
            guard try handshake(session) != nil else { return fail(name, "no WELCOME") }
            // Several requests, then end: every byte on stdout must be a frame
            // (receive throws on anything else).
            for id in UInt32(1)...5 {
                session.send(.request, id: id, payload: try request(requirement).serializedBytes())
            }
            var answered = Set<UInt32>()
            while answered.count < 5, let message = try session.receive(timeout: timeout) {
                if message.type == .response { answered.insert(message.requestID) }
            }
            session.closeStdin()
            while let message = try session.receive(timeout: timeout) {
                if message.type == .response { answered.insert(message.requestID) }
            }
            guard answered == Set(1...5) else { return fail(name, "answered \(answered.sorted()) of requests 1-5") }
            return pass(name, "only well-formed frames on stdout across 5 requests and shutdown")
        } failed: { $0 }
    }

    // MARK: Helpers

    private func pass(_ name: String, _ detail: String) -> ConformanceResult {
        ConformanceResult(name: name, passed: true, detail: detail)
    }

    private func fail(_ name: String, _ detail: String) -> ConformanceResult {
        ConformanceResult(name: name, passed: false, detail: detail)
    }

    /// Runs a case against a fresh process; any thrown error fails it.
    private func withSession<R>(
        _ name: String, _ body: (RawSession) throws -> R, failed: (ConformanceResult) -> R
    ) -> R {
        do {
            let session = try RawSession(executable)
            return try body(session)
        } catch let error as WireError {
            return failed(fail(name, "wrote something that is not a frame to stdout: \(error)"))
        } catch {
            return failed(fail(name, "\(error)"))
        }
    }

    private func standardHello() -> Secscore_Plugin_V1_Hello {
        var hello = Secscore_Plugin_V1_Hello()
        hello.protocolMajors = [ProtocolLimits.protocolMajor]
        hello.hostName = "secscore-conformance"
        hello.hostVersion = "0.1.0"
        hello.maxFrameBytes = ProtocolLimits.defaultMaxFrameBytes
        hello.maxMessageBytes = ProtocolLimits.defaultMaxMessageBytes
        hello.handshakeTimeoutMs = 10_000
        hello.defaultRequestTimeoutMs = 5_000
        hello.logLevel = .info
        return hello
    }

    private func handshake(_ session: RawSession) throws -> Secscore_Plugin_V1_Welcome? {
        session.send(.hello, payload: try standardHello().serializedBytes())
        guard let message = try receiveSkippingLogs(session), message.type == .welcome else { return nil }
        return try Secscore_Plugin_V1_Welcome(serializedBytes: message.payload)
    }

    private func receiveSkippingLogs(_ session: RawSession) throws -> WireMessage? {
        while let message = try session.receive(timeout: timeout) {
            if message.type != .log && message.type != .progress { return message }
        }
        return nil
    }

    private func receiveResponse(
        _ session: RawSession, id: UInt32, timeout: Duration? = nil
    ) throws -> Secscore_Plugin_V1_EvaluateResponse? {
        while let message = try session.receive(timeout: timeout ?? self.timeout) {
            if message.type == .response && message.requestID == id {
                return try Secscore_Plugin_V1_EvaluateResponse(serializedBytes: message.payload)
            }
        }
        return nil
    }

    private func request(_ requirement: String) -> Secscore_Plugin_V1_EvaluateRequest {
        var r = Secscore_Plugin_V1_EvaluateRequest()
        r.requirementID = requirement
        r.deadlineMs = 5_000
        r.context.asOf = "2025-11-01"
        r.context.nowUnixMs = 1_762_041_600_000
        r.context.edition = "2025-10"
        r.context.partnerType = .directBill
        r.context.commerceExperience = .newCommerce
        return r
    }
}
