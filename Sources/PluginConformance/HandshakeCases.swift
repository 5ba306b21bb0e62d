import PluginHost
import SecScoreWire
import SwiftProtobuf

/// docs/PROTOCOL.md 4.1 and 11: `--describe`, HELLO and what may come
/// before and after it.
extension ConformanceSuite {
    func caseDescribe() -> (result: ConformanceResult, manifest: Secscore_Plugin_V1_Manifest?) {
        let name = "describe"
        var describe = executable
        describe.arguments = ["--describe"]
        do {
            // --describe prints JSON, not frames: read stdout raw.
            let session = try RawSession(describe)
            session.closeStdin()
            let output = session.drainStdout(timeout: timeout)
            guard let status = session.waitForExit(timeout: timeout) else {
                return (fail(name, "--describe was still running \(timeout) after it started"), nil)
            }
            guard status == .exited(0) else {
                return (fail(name, "--describe \(status); expected status 0"), nil)
            }
            let text = String(decoding: output, as: UTF8.self)
            guard !output.isEmpty else {
                return (fail(name, "--describe printed nothing and exited 0; it must print its manifest as a Welcome in protobuf's JSON mapping"), nil)
            }
            var options = JSONDecodingOptions()
            options.ignoreUnknownFields = true
            let welcome: Secscore_Plugin_V1_Welcome
            do {
                welcome = try Secscore_Plugin_V1_Welcome(jsonString: text, options: options)
            } catch {
                return (fail(name, "--describe printed \(Wording.quoted(text)), which is not a Welcome in protobuf's JSON mapping (\(error))"), nil)
            }
            guard !welcome.manifest.checks.isEmpty else {
                return (fail(name, "--describe printed a manifest with no checks"), nil)
            }
            return (pass(name, "--describe printed a Welcome with \(welcome.manifest.checks.count) check(s) and exited 0"), welcome.manifest)
        } catch {
            return (fail(name, "cannot run --describe: \(error)"), nil)
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
            guard !welcome.manifest.checks.isEmpty else {
                return (fail(name, "the WELCOME manifest declares no checks"), nil)
            }
            if let describedManifest, describedManifest != welcome.manifest {
                return (fail(name, "the WELCOME manifest differs from the --describe manifest"), nil)
            }
            let ids = welcome.manifest.checks.map { SafeText.sanitize($0.requirementID, limit: 128) }
            return (pass(name, "WELCOME \(SafeText.sanitize(welcome.pluginName)) \(SafeText.sanitize(welcome.pluginVersion)) (minor \(welcome.protocolMinor)) declares \(ids.joined(separator: ", "))"), welcome)
        } failed: { ($0, nil) }
    }

    func caseVersionMismatch() -> ConformanceResult {
        let name = "version mismatch"
        return withSession(name) { session in
            var hello = standardHello()
            hello.protocolMajors = [99]
            session.send(.hello, payload: try encode(hello))
            guard let message = try receiveSkippingLogs(session) else {
                return fail(name, "no GOAWAY after a HELLO offering only protocol 99")
            }
            guard message.type == .goAway else {
                return fail(name, "answered a HELLO offering only protocol 99 with \(message.type), expected GOAWAY")
            }
            let goAway = try decode(Secscore_Plugin_V1_GoAway.self, message)
            guard goAway.code == .failedPrecondition else {
                return fail(name, "refused protocol 99 with \(Wording.code(goAway.code)); a version refusal is CODE_FAILED_PRECONDITION")
            }
            guard goAway.supportedMajors.contains(1), !goAway.reason.isEmpty else {
                return fail(name, "GOAWAY should give a reason and list the majors the plugin supports (reason \(Wording.quoted(goAway.reason)), supported majors: \(Wording.majors(goAway.supportedMajors)))")
            }
            guard let status = session.waitForExit(timeout: timeout) else {
                return fail(name, "sent GOAWAY but was still running \(timeout) later")
            }
            guard status != .exited(0) else {
                return fail(name, "exited with status 0 after refusing the session; a refusal exits non-zero (3)")
            }
            return pass(name, "GOAWAY \(Wording.code(goAway.code)) \(Wording.quoted(goAway.reason)), then \(status)")
        } failed: { $0 }
    }

    func caseUnknownFrameBeforeHello() -> ConformanceResult {
        let name = "unknown frame before hello"
        return withSession(name) { session in
            // The host's first frame is always HELLO: anything else first is
            // a protocol error, even a type a later minor version might add.
            session.send(FrameType(rawValue: 0x7F), id: 0, payload: [1, 2, 3, 4])
            session.send(.hello, payload: try encode(standardHello()))
            if let problem = try expectProtocolError(session, after: "a frame of unknown type 0x7F before HELLO") {
                return fail(name, problem)
            }
            return pass(name, "refused a first frame that was not HELLO with GOAWAY CODE_INVALID_ARGUMENT and a non-zero exit")
        } failed: { $0 }
    }

    func caseLargeHello() -> ConformanceResult {
        let name = "64 KiB hello"
        return withSession(name) { session in
            // A HELLO of exactly 64 KiB, padded with a field this version
            // does not define: a plugin must accept both before the handshake.
            var payload = try encode(standardHello())
            let padding = Int(ProtocolLimits.minimumMaxFrameBytes) - payload.count - 5
            payload += [0xA2, 0x06]  // field 100, length-delimited
            payload += [UInt8(padding & 0x7F | 0x80), UInt8(padding >> 7 & 0x7F | 0x80), UInt8(padding >> 14)]
            payload += [UInt8](repeating: 0x61, count: padding)
            session.send(.hello, payload: payload)
            guard let message = try receiveSkippingLogs(session) else {
                return fail(name, "no WELCOME within \(timeout) of a \(payload.count)-byte HELLO")
            }
            guard message.type == .welcome else {
                return fail(name, "answered a \(payload.count)-byte HELLO holding an unknown field with \(message.type); HELLO may be up to 64 KiB and unknown fields are skipped")
            }
            return pass(name, "answered a \(payload.count)-byte HELLO with an unknown field with WELCOME")
        } failed: { $0 }
    }

    func caseSecondHello() -> ConformanceResult {
        let name = "second hello"
        return withSession(name) { session in
            try requireWelcome(session)
            session.send(.hello, payload: try encode(standardHello()))
            if let problem = try expectProtocolError(session, after: "a second HELLO") {
                return fail(name, problem)
            }
            return pass(name, "ended the session on a second HELLO with GOAWAY CODE_INVALID_ARGUMENT and a non-zero exit")
        } failed: { $0 }
    }
}
