import PluginHost
import SecScoreWire

/// docs/PROTOCOL.md 4.2 to 4.5: requests, their one answer, cancellation,
/// deadlines and the size of an answer.
extension ConformanceSuite {
    func casePing() -> ConformanceResult {
        let name = "ping"
        return withSession(name) { session in
            try requireWelcome(session)
            var ping = Secscore_Plugin_V1_Ping()
            ping.nonce = 0xDEAD_BEEF
            session.send(.ping, id: 7, payload: try encode(ping))
            guard let message = try receiveSkippingLogs(session), message.type == .pong, message.requestID == 7,
                  try decode(Secscore_Plugin_V1_Ping.self, message).nonce == 0xDEAD_BEEF
            else { return fail(name, "no PONG echoing id 7 and the nonce") }
            return pass(name, "PONG echoed the id and nonce")
        } failed: { $0 }
    }

    func caseUnknownFrameType() -> ConformanceResult {
        let name = "unknown frame type"
        return withSession(name) { session in
            try requireWelcome(session)
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
            try requireWelcome(session)
            session.send(.request, id: 1, payload: try encode(request("conformance.noSuchRequirement")))
            guard let response = try receiveResponse(session, id: 1) else { return fail(name, "no RESPONSE for request 1") }
            guard case .error(let error) = response.result, error.code == .unimplemented else {
                return fail(name, "answered a requirement it does not declare with \(Wording.response(response)); expected error CODE_UNIMPLEMENTED (12)")
            }
            return pass(name, "answered with \(Wording.response(response))")
        } failed: { $0 }
    }

    func caseRequest(_ declared: Declared) -> ConformanceResult {
        let name = "request"
        let check = declared.first
        return withSession(name) { session in
            try requireWelcome(session)
            session.send(.request, id: 1, payload: try encode(fullRequest(check)))
            guard let response = try receiveResponse(session, id: 1) else {
                return fail(name, "no RESPONSE within \(timeout) to request 1 for \(displayID(check))")
            }
            if let problem = findingProblem(response, check: check) { return fail(name, problem) }
            if let extra = try receiveResponse(session, id: 1, timeout: .milliseconds(300)) {
                return fail(name, "answered request 1 twice, with \(Wording.response(response)) and then \(Wording.response(extra)); every request gets exactly one RESPONSE")
            }
            return pass(name, "answered \(displayID(check)), with every facet it declares present, with \(Wording.response(response)), once")
        } failed: { $0 }
    }

    func caseEveryCheck(_ declared: Declared) -> ConformanceResult {
        let name = "every check"
        return withSession(name) { session in
            try requireWelcome(session)
            var problems: [String] = []
            for (index, check) in declared.checks.enumerated() {
                let id = UInt32(index + 1)
                session.send(.request, id: id, payload: try encode(fullRequest(check)))
                guard let response = try receiveResponse(session, id: id) else {
                    problems.append("no RESPONSE within \(timeout) for \(displayID(check))")
                    break  // the session is stuck; later checks would wait too
                }
                if let problem = findingProblem(response, check: check) { problems.append(problem) }
            }
            guard problems.isEmpty else { return fail(name, problems.joined(separator: "; ")) }
            return pass(name, "answered each of its \(declared.checks.count) check(s), with every facet it declares present, with a finding")
        } failed: { $0 }
    }

    func caseMissingRequiredFacet(_ declared: Declared) -> ConformanceResult {
        let name = "missing required facet"
        guard let check = declared.checks.first(where: { !$0.requiredFacets.isEmpty }) else {
            return pass(name, "no check declares a required facet")
        }
        return withSession(name) { session in
            try requireWelcome(session)
            // The host never sends this (it reports "could not check"
            // itself), but a plugin must not read absent data as "none".
            var r = request(check.requirementID)
            r.facets = SampleTenant.facets(check.optionalFacets)
            session.send(.request, id: 1, payload: try encode(r))
            guard let response = try receiveResponse(session, id: 1) else {
                return fail(name, "no RESPONSE to a request for \(displayID(check)) without its required facets (\(Wording.facets(check.requiredFacets)))")
            }
            switch response.result {
            case .finding(let finding) where finding.status == .couldNotCheck:
                break
            case .error(let error) where error.code == .failedPrecondition:
                break
            default:
                return fail(name, "answered \(displayID(check)) without its required facets (\(Wording.facets(check.requiredFacets))) with \(Wording.response(response)); absent data decides nothing: answer a finding COULD_NOT_CHECK (3) or error CODE_FAILED_PRECONDITION (9)")
            }
            return pass(name, "answered \(displayID(check)) without \(Wording.facets(check.requiredFacets)) with \(Wording.response(response))")
        } failed: { $0 }
    }

    func caseFragmentedRequest(_ declared: Declared) -> ConformanceResult {
        let name = "fragmented request"
        let check = declared.first
        return withSession(name) { session in
            try requireWelcome(session)
            let payload = try encode(fullRequest(check))
            let fragments = (payload.count + 6) / 7
            // Split into fragments of 7 bytes: the plugin must join them.
            session.send(.request, id: 1, payload: payload, maxFrameBytes: 7)
            guard let response = try receiveResponse(session, id: 1) else {
                return fail(name, "no RESPONSE to a REQUEST sent in \(fragments) fragments")
            }
            if let problem = findingProblem(response, check: check) {
                return fail(name, "sent in \(fragments) fragments: \(problem)")
            }
            return pass(name, "joined \(fragments) fragments and answered with \(Wording.response(response))")
        } failed: { $0 }
    }

    func caseRequestIDs(_ declared: Declared) -> ConformanceResult {
        let name = "request ids"
        let check = declared.first
        return withSession(name) { session in
            try requireWelcome(session)
            session.send(.request, id: 5, payload: try encode(fullRequest(check)))
            guard try receiveResponse(session, id: 5) != nil else { return fail(name, "no RESPONSE for request 5") }
            // Ids that are not larger than every earlier one: refusing them
            // is allowed, and refusing means answering that request with
            // CODE_FAILED_PRECONDITION, not ending the session.
            var answers: [String] = []
            for (id, what) in [(UInt32(5), "a second request 5"), (3, "request 3 after request 5"), (0, "request 0")] {
                session.send(.request, id: id, payload: try encode(fullRequest(check)))
                guard let response = try receiveResponse(session, id: id) else {
                    return fail(name, "no RESPONSE to \(what); refuse it with CODE_FAILED_PRECONDITION and keep serving")
                }
                if case .error(let error) = response.result, error.code != .failedPrecondition {
                    return fail(name, "answered \(what) with \(Wording.response(response)); refuse an id that is not larger than every earlier one with CODE_FAILED_PRECONDITION (9)")
                }
                answers.append(Wording.response(response))
            }
            // A PING marks the end: every RESPONSE before its PONG is extra.
            var extra = Set<UInt32>()
            var ponged = false
            session.send(.ping, id: 9, payload: [])
            while let message = try receiveSkippingLogs(session) {
                if message.type == .pong { ponged = true; break }
                if message.type == .response { extra.insert(message.requestID) }
                if message.type == .goAway {
                    return fail(name, "ended the session (GOAWAY) after a request id that was not increasing; refuse the request, not the session")
                }
            }
            if let id = extra.min() {
                return fail(name, "answered request \(id) more than once; every REQUEST gets exactly one RESPONSE, a refused one too")
            }
            guard ponged else {
                return fail(name, "no PONG after requests with ids that were not increasing; refuse the request, not the session")
            }
            return pass(name, "answered ids 5, 3 and 0 after 5 once each (\(answers.joined(separator: "; "))) and kept serving")
        } failed: { $0 }
    }

    func caseCancel(_ declared: Declared) -> ConformanceResult {
        let name = "cancel"
        let check = declared.first
        return withSession(name) { session in
            try requireWelcome(session)
            session.send(.request, id: 1, payload: try encode(fullRequest(check)))
            session.send(.cancel, id: 1, payload: try encode(Secscore_Plugin_V1_Cancel()))
            guard let response = try receiveResponse(session, id: 1) else { return fail(name, "no RESPONSE after CANCEL") }
            if case .error(let error) = response.result, ![.cancelled, .deadlineExceeded].contains(error.code) {
                return fail(name, "answered a cancelled request with \(Wording.response(response)); expected its finding or CODE_CANCELLED (1)")
            }
            if let extra = try receiveResponse(session, id: 1, timeout: .milliseconds(300)) {
                return fail(name, "sent a second RESPONSE for request 1 (first \(Wording.response(response)), then \(Wording.response(extra)))")
            }
            return pass(name, "exactly one RESPONSE for a cancelled request: \(Wording.response(response))")
        } failed: { $0 }
    }

    func caseDeadline(_ declared: Declared) -> ConformanceResult {
        let name = "deadline"
        let check = declared.first
        return withSession(name) { session in
            try requireWelcome(session)
            var r = fullRequest(check)
            r.deadlineMs = 1
            session.send(.request, id: 1, payload: try encode(r))
            // No CANCEL follows: the plugin must not wait for one.
            guard let response = try receiveResponse(session, id: 1) else {
                return fail(name, "no RESPONSE within \(timeout) to a request with a 1 ms deadline and no CANCEL")
            }
            if case .error(let error) = response.result, ![.deadlineExceeded, .cancelled].contains(error.code) {
                return fail(name, "answered a request with a 1 ms deadline with \(Wording.response(response)); expected its finding or CODE_DEADLINE_EXCEEDED (4)")
            }
            if let extra = try receiveResponse(session, id: 1, timeout: .milliseconds(300)) {
                return fail(name, "sent a second RESPONSE for request 1 (first \(Wording.response(response)), then \(Wording.response(extra)))")
            }
            return pass(name, "one RESPONSE (\(Wording.response(response))) to a 1 ms deadline, without waiting for CANCEL")
        } failed: { $0 }
    }

    func caseMessageLimit(_ declared: Declared) -> ConformanceResult {
        let name = "message limit"
        let limit = UInt64(ProtocolLimits.minimumMaxFrameBytes)
        return withSession(name) { session in
            var hello = standardHello()
            hello.maxMessageBytes = limit
            try requireWelcome(session, hello: hello)
            // An answer over HELLO's max_message_bytes would end the whole
            // session at the host: such an answer becomes
            // CODE_RESOURCE_EXHAUSTED for its request alone.
            var refused: [String] = []
            for (index, check) in declared.checks.enumerated() {
                let id = UInt32(index + 1)
                session.send(.request, id: id, payload: try encode(fullRequest(check)))
                guard let message = try receiveResponseMessage(session, id: id) else {
                    return fail(name, "no RESPONSE within \(timeout) for \(displayID(check))")
                }
                guard UInt64(message.payload.count) <= limit else {
                    return fail(name, "answered \(displayID(check)) with a \(message.payload.count)-byte RESPONSE; HELLO's max_message_bytes was \(limit): answer CODE_RESOURCE_EXHAUSTED (8) instead")
                }
                let response = try decode(Secscore_Plugin_V1_EvaluateResponse.self, message)
                if case .error(let error) = response.result, error.code == .resourceExhausted { refused.append(displayID(check)) }
            }
            let note = refused.isEmpty ? "" : "; refused as too large: \(refused.joined(separator: ", "))"
            return pass(name, "every answer fits HELLO's max_message_bytes of \(limit)\(note)")
        } failed: { $0 }
    }

    // MARK: Requests and answers

    func request(_ requirement: String) -> Secscore_Plugin_V1_EvaluateRequest {
        var r = Secscore_Plugin_V1_EvaluateRequest()
        r.requirementID = requirement
        r.deadlineMs = UInt32(clamping: max(1, Int64(timeout / .milliseconds(1))))
        r.context.asOf = "2025-11-01"
        r.context.nowUnixMs = 1_762_041_600_000
        r.context.edition = "2025-10"
        r.context.partnerType = .directBill
        r.context.commerceExperience = .newCommerce
        return r
    }

    /// A well-formed request for `check` with every facet it declares,
    /// required or optional, present: what a host sends when the snapshot
    /// has everything.
    func fullRequest(_ check: Secscore_Plugin_V1_CheckDescriptor) -> Secscore_Plugin_V1_EvaluateRequest {
        var r = request(check.requirementID)
        r.facets = SampleTenant.facets(check.requiredFacets + check.optionalFacets)
        return r
    }

    /// Why `response` is not a finding for `check`, or nil when it is one.
    /// A check that cannot decide answers COULD_NOT_CHECK; an error code on
    /// a well-formed request with all its data is a broken plugin.
    func findingProblem(_ response: Secscore_Plugin_V1_EvaluateResponse, check: Secscore_Plugin_V1_CheckDescriptor) -> String? {
        switch response.result {
        case .finding(let finding):
            guard finding.requirementID == check.requirementID else {
                return "answered a request for \(displayID(check)) with a finding for \(Wording.quoted(finding.requirementID))"
            }
            guard [.compliant, .notCompliant, .couldNotCheck].contains(finding.status) else {
                return "answered \(displayID(check)) with a finding whose status is \(Wording.status(finding.status)); expected COMPLIANT (1), NOT_COMPLIANT (2) or COULD_NOT_CHECK (3)"
            }
            return nil
        case .error:
            return "answered a well-formed request for \(displayID(check)), with every facet it declares present, with \(Wording.response(response)); a check that cannot decide answers a finding COULD_NOT_CHECK (3), not an error"
        case nil:
            return "answered \(displayID(check)) with a RESPONSE holding neither a finding nor an error"
        }
    }

    func displayID(_ check: Secscore_Plugin_V1_CheckDescriptor) -> String {
        SafeText.sanitize(check.requirementID, limit: 128)
    }
}
