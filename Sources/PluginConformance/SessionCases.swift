import PluginHost
import SecScoreWire

/// docs/PROTOCOL.md 2, 5 and 6: the byte stream and the end of a session.
extension ConformanceSuite {
    func caseOversizedFrame() -> ConformanceResult {
        let name = "oversized frame"
        return withSession(name) { session in
            try requireWelcome(session)
            // A header announcing 4 GiB: the plugin must not wait for or
            // allocate it, but end the session.
            session.write([0xF5, 0x53, 0x10, 0x00, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xF0])
            if let problem = try expectProtocolError(session, after: "a frame announcing 4294967280 bytes") {
                return fail(name, problem)
            }
            return pass(name, "rejected a frame announcing 4294967280 bytes with GOAWAY CODE_INVALID_ARGUMENT and a non-zero exit")
        } failed: { $0 }
    }

    func caseEndOfStdin() -> ConformanceResult {
        let name = "end of stdin"
        return withSession(name) { session in
            try requireWelcome(session)
            session.closeStdin()
            guard let status = session.waitForExit(timeout: timeout) else {
                return fail(name, "still running \(timeout) after its stdin closed")
            }
            guard status == .exited(0) else { return fail(name, "\(status) after its stdin closed; expected status 0") }
            return pass(name, "exited 0 when stdin closed")
        } failed: { $0 }
    }

    func caseStdoutHygiene(_ declared: Declared) -> ConformanceResult {
        let name = "stdout hygiene"
        let check = declared.first
        return withSession(name) { session in
            try requireWelcome(session)
            // Several requests, then GOAWAY and end of stdin, as the host
            // ends a session: every byte until stdout closes must be a frame
            // (receive throws on anything else), and every request must be
            // answered once. The host judges all of it before it trusts any
            // answer of the process.
            let ids = Set(UInt32(1)...5)
            for id in ids.sorted() {
                session.send(.request, id: id, payload: try encode(fullRequest(check)))
            }
            var counts: [UInt32: Int] = [:]
            var problems: [String] = []
            func note(_ message: WireMessage) {
                switch message.type {
                case .response:
                    counts[message.requestID, default: 0] += 1
                case .hello, .request, .cancel, .ping:
                    problems.append("sent a \(message.type) frame, which only the host may send")
                default:
                    break
                }
            }
            while counts.count < ids.count, let message = try session.receive(timeout: timeout) { note(message) }
            var goAway = Secscore_Plugin_V1_GoAway()
            goAway.code = .ok
            goAway.reason = "host is shutting down"
            session.send(.goAway, payload: try encode(goAway))
            session.closeStdin()
            while let message = try session.receive(timeout: timeout) { note(message) }
            let unasked = counts.keys.filter { !ids.contains($0) }.sorted()
            if !unasked.isEmpty {
                problems.append("answered request\(unasked.count == 1 ? "" : "s") \(unasked.map(String.init).joined(separator: ", ")), which it was never sent")
            }
            let twice = counts.filter { $0.value > 1 }.sorted { $0.key < $1.key }
            if !twice.isEmpty {
                problems.append(twice.map { "answered request \($0.key) \($0.value) times" }.joined(separator: ", ") + "; every request gets exactly one RESPONSE")
            }
            let missing = ids.subtracting(counts.keys).sorted()
            if !missing.isEmpty {
                problems.append("never answered request\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ", "))")
            }
            guard problems.isEmpty else { return fail(name, problems.joined(separator: "; ")) }
            return pass(name, "only well-formed frames on stdout, one RESPONSE per request, across 5 requests, GOAWAY and end of stdin")
        } failed: { $0 }
    }
}
