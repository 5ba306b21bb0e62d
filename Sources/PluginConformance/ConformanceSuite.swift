package import PluginHost
import SecScoreWire
import SwiftProtobuf

/// The result of one conformance case.
package struct ConformanceResult: Sendable, Hashable {
    package var name: String
    package var passed: Bool
    /// What was checked, or what went wrong, in a sentence for a person.
    package var detail: String
}

/// Checks that a plugin executable follows docs/PROTOCOL.md, one fresh
/// process per case, sending what a correct host never would.
///
/// The cases live in extensions by topic: the handshake
/// (HandshakeCases.swift), requests and answers (RequestCases.swift), the
/// stream and the end of the session (SessionCases.swift).
package struct ConformanceSuite: Sendable {
    package var executable: PluginExecutable
    /// How long a case waits for the plugin to answer.
    package var timeout: Duration

    package init(executable: PluginExecutable, timeout: Duration = .seconds(5)) {
        self.executable = executable
        self.timeout = timeout
    }

    /// The names of the cases, in the order they run.
    package static let caseNames = [
        "describe", "handshake", "version mismatch", "unknown frame before hello", "64 KiB hello", "second hello",
        "ping", "unknown frame type", "unknown requirement", "request", "every check", "missing required facet",
        "fragmented request", "request ids", "cancel", "deadline", "message limit", "oversized frame",
        "end of stdin", "stdout hygiene",
    ]

    /// Runs every case and returns one result each.
    package func run() -> [ConformanceResult] {
        var results: [ConformanceResult] = []
        let describe = caseDescribe()
        results.append(describe.result)
        let handshake = caseHandshake(describedManifest: describe.manifest)
        results.append(handshake.result)
        guard let welcome = handshake.welcome, let first = welcome.manifest.checks.first else {
            for name in Self.caseNames.dropFirst(2) {
                results.append(ConformanceResult(name: name, passed: false, detail: "skipped: no valid WELCOME"))
            }
            return results
        }
        let declared = Declared(checks: welcome.manifest.checks, first: first)
        let cases: [(Declared) -> ConformanceResult] = [
            { _ in caseVersionMismatch() },
            { _ in caseUnknownFrameBeforeHello() },
            { _ in caseLargeHello() },
            { _ in caseSecondHello() },
            { _ in casePing() },
            { _ in caseUnknownFrameType() },
            { _ in caseUnknownRequirement() },
            caseRequest,
            caseEveryCheck,
            caseMissingRequiredFacet,
            caseFragmentedRequest,
            caseRequestIDs,
            caseCancel,
            caseDeadline,
            caseMessageLimit,
            { _ in caseOversizedFrame() },
            { _ in caseEndOfStdin() },
            caseStdoutHygiene,
        ]
        for run in cases { results.append(run(declared)) }
        return results
    }

    /// What the plugin declared in its WELCOME, for the cases that send
    /// requests.
    struct Declared {
        var checks: [Secscore_Plugin_V1_CheckDescriptor]
        /// The check most cases exercise.
        var first: Secscore_Plugin_V1_CheckDescriptor
    }

    // MARK: Results

    func pass(_ name: String, _ detail: String) -> ConformanceResult {
        ConformanceResult(name: name, passed: true, detail: detail)
    }

    func fail(_ name: String, _ detail: String) -> ConformanceResult {
        ConformanceResult(name: name, passed: false, detail: detail)
    }

    /// A case's verdict reached deep inside a helper: the sentence is the
    /// failure's detail.
    struct CaseFailure: Error {
        var detail: String
        init(_ detail: String) { self.detail = detail }
    }

    /// Runs a case against a fresh process; any thrown error fails it with a
    /// sentence (never a dump of a Swift value).
    func withSession<R>(
        _ name: String, _ body: (RawSession) throws -> R, failed: (ConformanceResult) -> R
    ) -> R {
        do {
            let session = try RawSession(executable)
            return try body(session)
        } catch let error as CaseFailure {
            return failed(fail(name, error.detail))
        } catch let error as WireError {
            return failed(fail(name, "wrote something that is not a frame to stdout: \(error)"))
        } catch let error as PluginError {
            return failed(fail(name, error.description))
        } catch {
            return failed(fail(name, "the case could not run: \(error)"))
        }
    }

    // MARK: Talking to the plugin

    func standardHello() -> Secscore_Plugin_V1_Hello {
        var hello = Secscore_Plugin_V1_Hello()
        hello.protocolMajors = [ProtocolLimits.protocolMajor]
        hello.hostName = "secscore-conformance"
        hello.hostVersion = "0.1.0"
        hello.maxFrameBytes = ProtocolLimits.defaultMaxFrameBytes
        hello.maxMessageBytes = ProtocolLimits.defaultMaxMessageBytes
        hello.handshakeTimeoutMs = 10_000
        hello.defaultRequestTimeoutMs = 5_000
        hello.shutdownGraceMs = 2_000
        hello.logLevel = .info
        return hello
    }

    /// Sends `hello` and returns the WELCOME, or nil when something else (or
    /// nothing) came back.
    func handshake(_ session: RawSession, hello: Secscore_Plugin_V1_Hello? = nil) throws -> Secscore_Plugin_V1_Welcome? {
        session.send(.hello, payload: try encode(hello ?? standardHello()))
        guard let message = try receiveSkippingLogs(session), message.type == .welcome else { return nil }
        return try decode(Secscore_Plugin_V1_Welcome.self, message)
    }

    /// The handshake every case after the first needs.
    /// - Throws: `CaseFailure` when there is no WELCOME.
    func requireWelcome(_ session: RawSession, hello: Secscore_Plugin_V1_Hello? = nil) throws {
        guard try handshake(session, hello: hello) != nil else {
            throw CaseFailure("no WELCOME within \(timeout) of HELLO")
        }
    }

    func receiveSkippingLogs(_ session: RawSession, timeout: Duration? = nil) throws -> WireMessage? {
        while let message = try session.receive(timeout: timeout ?? self.timeout) {
            if message.type != .log && message.type != .progress { return message }
        }
        return nil
    }

    /// The next RESPONSE for `id`, skipping everything else.
    func receiveResponse(
        _ session: RawSession, id: UInt32, timeout: Duration? = nil
    ) throws -> Secscore_Plugin_V1_EvaluateResponse? {
        while let message = try session.receive(timeout: timeout ?? self.timeout) {
            if message.type == .response && message.requestID == id {
                return try decode(Secscore_Plugin_V1_EvaluateResponse.self, message)
            }
        }
        return nil
    }

    /// The next RESPONSE for `id` and its size on the wire.
    func receiveResponseMessage(_ session: RawSession, id: UInt32) throws -> WireMessage? {
        while let message = try session.receive(timeout: timeout) {
            if message.type == .response && message.requestID == id { return message }
        }
        return nil
    }

    /// Waits for GOAWAY (skipping LOG) and then for the process to exit.
    /// - Returns: nil when both came as docs/PROTOCOL.md 4.6 asks for a
    ///   protocol error, else why not.
    func expectProtocolError(_ session: RawSession, after what: String) throws -> String? {
        guard let message = try receiveSkippingLogs(session) else {
            if let status = session.waitForExit(timeout: .milliseconds(100)) {
                return "\(status) without a GOAWAY after \(what); send GOAWAY with CODE_INVALID_ARGUMENT first"
            }
            return "neither a GOAWAY nor an exit within \(timeout) after \(what)"
        }
        guard message.type == .goAway else {
            return "answered \(what) with \(message.type); expected GOAWAY with CODE_INVALID_ARGUMENT, then an exit"
        }
        let goAway = try decode(Secscore_Plugin_V1_GoAway.self, message)
        guard goAway.code == .invalidArgument else {
            return "sent GOAWAY with \(Wording.code(goAway.code)) after \(what); a protocol error the plugin detects is CODE_INVALID_ARGUMENT"
        }
        guard let status = session.waitForExit(timeout: timeout) else {
            return "sent GOAWAY after \(what) but was still running \(timeout) later"
        }
        guard status != .exited(0) else {
            return "exited with status 0 after \(what); a session that ends in a protocol error exits non-zero (2)"
        }
        return nil
    }

    func encode(_ message: some SwiftProtobuf.Message) throws -> [UInt8] {
        do {
            return try message.serializedBytes()
        } catch {
            throw CaseFailure("the suite cannot encode its own \(Wording.messageName(type(of: message))): \(error)")
        }
    }

    func decode<M: SwiftProtobuf.Message>(_ type: M.Type, _ message: WireMessage) throws -> M {
        do {
            return try M(serializedBytes: message.payload)
        } catch {
            let id = message.requestID == 0 ? "" : " for request \(message.requestID)"
            throw CaseFailure(
                "sent a \(message.type) frame\(id) whose \(message.payload.count)-byte payload is not a valid \(Wording.messageName(type)) message (\(error))")
        }
    }
}
