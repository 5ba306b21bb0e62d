import CSecScoreHostShims
import Glibc
import Logging
import SecScorePOSIX
import SecScoreWire
import SwiftProtobuf
import Synchronization

/// What each frame from the plugin means, and the faults that stop it.
extension ConnectionCore {
    // MARK: Messages from the plugin

    func handle(_ message: WireMessage) {
        switch message.type {
        case .welcome: handleWelcome(message)
        case .goAway: handleGoAway(message)
        case .response: handleResponse(message)
        case .log: handleLog(message)
        case .progress: handleProgress(message)
        case .pong: handlePong(message)
        case .hello, .request, .cancel, .ping:
            violation("sent a \(message.type) frame, which only the host may send")
        default:
            // Unknown frame types are skipped: a newer minor version may add some.
            configuration.logger.debug("skipped unknown frame type \(message.type)", metadata: logMetadata(.host))
        }
    }

    func handleWelcome(_ message: WireMessage) {
        let welcome: Secscore_Plugin_V1_Welcome
        do {
            welcome = try Secscore_Plugin_V1_Welcome(serializedBytes: message.payload)
        } catch {
            violation("sent a WELCOME whose payload is not a valid Welcome message (\(error))")
            return
        }
        let outcome: ManifestValidation.Validated? = state.withLock { s in
            guard s.handshake != nil else { return nil }
            return ManifestValidation.validate(welcome, fallbackName: s.name, configuration: configuration)
        }
        guard let outcome else {
            violation(state.withLock { $0.info } == nil ? "sent WELCOME after the handshake had failed" : "sent a second WELCOME")
            return
        }
        switch outcome {
        case .invalid(let why):
            let error = state.withLock { s in PluginError(.handshakeFailed, plugin: s.name, "invalid WELCOME: \(why)") }
            failAndKill(error)
        case .valid(let info):
            reader.withLock { $0.maxFrameBytes = info.maxFrameBytes }
            state.withLock { s in
                s.name = info.name
                s.info = info
                s.frameLimitOut = info.maxFrameBytes
                s.maxInFlight = info.maxConcurrentRequests
                let handshake = s.handshake
                s.handshake = nil
                handshake?.resume(returning: .success(info))
            }
        }
    }

    func handleGoAway(_ message: WireMessage) {
        let goAway = (try? Secscore_Plugin_V1_GoAway(serializedBytes: message.payload)) ?? Secscore_Plugin_V1_GoAway()
        let reason = SafeText.sanitize(goAway.reason, limit: 1000)
        state.withLock { s in
            if s.info == nil {
                var text = "refused the session: \(reason.isEmpty ? "no reason given" : reason)"
                if !goAway.supportedMajors.isEmpty {
                    text += " (it supports protocol majors \(goAway.supportedMajors.map(String.init).joined(separator: ", ")); the host speaks \(ProtocolLimits.protocolMajor))"
                }
                fail(&s, PluginError(.refused, plugin: s.name, text), kill: false)
            } else {
                fail(&s, PluginError(.exited, plugin: s.name, "sent GOAWAY (\(goAway.code)): \(reason)"), kill: false)
            }
        }
    }

    func handleResponse(_ message: WireMessage) {
        handleResponse(id: message.requestID, Result { try ResponseDecoding.decode(message.payload) })
    }

    func handleResponse(id: UInt32, _ decoded: Result<Secscore_Plugin_V1_EvaluateResponse, any Error>) {
        let response: Secscore_Plugin_V1_EvaluateResponse
        do {
            response = try decoded.get()
        } catch {
            violation("sent a RESPONSE for request \(id) whose payload is not a valid EvaluateResponse (\(error))")
            return
        }
        enum Action {
            case release(SlotWaiter?)
            case resume(Pending, CallResult, SlotWaiter?)
            case violation(String)
        }
        let action: Action = state.withLock { s in
            s.statistics.responsesReceived += 1
            guard s.info != nil else { return .violation("sent a RESPONSE before WELCOME") }
            var named: String?
            if case .finding(let finding) = response.result { named = finding.requirementID }
            let call: CallTable<Pending>.Call
            switch s.calls.receiveResponse(id: id, requirementID: named) {
            case .absorb: return .release(releaseSlot(&s))  // the answer owed to a request the host gave up on
            case .violation(let why): return .violation(why)
            case .deliver(let c): call = c
            }
            let pending = call.waiter
            let result: CallResult
            switch response.result {
            case .finding(let finding):
                if let refusal = FindingLimits.refusal(finding) {
                    // Delivered, then failed with everything else by the violation.
                    pending.continuation.resume(returning: .failure(PluginError(.protocolViolation, plugin: s.name, "broke the protocol: \(refusal)")))
                    return .violation("\(refusal) (request \(id))")
                }
                switch finding.status {
                case .compliant, .notCompliant, .couldNotCheck:
                    result = .success(FindingLimits.bounded(finding))
                default:
                    result = .failure(
                        PluginError(
                            .protocolViolation, plugin: s.name,
                            "answered \(call.requirementID) with a finding whose status is \(finding.status.rawValue); expected compliant (1), notCompliant (2) or couldNotCheck (3)"))
                }
            case .error(let callError):
                let text = SafeText.sanitize(callError.message, limit: 2000)
                result = .failure(
                    PluginError(
                        .pluginReported, plugin: s.name,
                        "could not evaluate \(call.requirementID): \(callError.code): \(text.isEmpty ? "no message" : text)",
                        callCode: callError.code))
            case nil:
                result = .failure(
                    PluginError(
                        .protocolViolation, plugin: s.name,
                        "answered request \(id) with an empty EvaluateResponse (neither finding nor error)"))
            }
            return .resume(pending, result, releaseSlot(&s))
        }
        switch action {
        case .release(let next):
            next?.continuation.resume(returning: true)
        case .violation(let why):
            violation(why)
        case .resume(let pending, let result, let next):
            pending.continuation.resume(returning: result)
            next?.continuation.resume(returning: true)
        }
    }

    func handleLog(_ message: WireMessage) {
        guard accountLog(bytes: message.payload.count) else { return }
        guard let log = try? Secscore_Plugin_V1_Log(serializedBytes: message.payload) else {
            violation("sent a LOG frame whose payload is not a valid Log message")
            return
        }
        let level = Logger.Level(plugin: log.level)
        state.withLock { $0.statistics.logRecords += 1 }
        let logger = configuration.logger
        guard level >= logger.logLevel else { return }
        var fields: Logger.Metadata = [:]
        for field in log.fields.prefix(32) {
            fields[SafeText.sanitize(field.name, limit: 64)] = .string(SafeText.sanitize(field.value, limit: 512))
        }
        logger.log(
            level: level, "\(SafeText.sanitize(log.message, limit: configuration.maxLogLineBytes))",
            metadata: logMetadata(.logFrame, requestID: message.requestID == 0 ? nil : message.requestID, fields: fields))
    }

    /// The metadata of a log record about this plugin (`PluginLog.Key`).
    func logMetadata(_ source: PluginLog.Source, requestID: UInt32? = nil, fields: Logger.Metadata = [:]) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            PluginLog.Key.plugin: .string(name),
            PluginLog.Key.source: .string(source.rawValue),
        ]
        if let pid = process?.pid { metadata[PluginLog.Key.pid] = .stringConvertible(pid) }
        if let requestID { metadata[PluginLog.Key.requestID] = .stringConvertible(requestID) }
        if !fields.isEmpty { metadata[PluginLog.Key.fields] = .dictionary(fields) }
        return metadata
    }

    func handleProgress(_ message: WireMessage) {
        guard let progress = try? Secscore_Plugin_V1_Progress(serializedBytes: message.payload) else {
            violation("sent a PROGRESS frame whose payload is not a valid Progress message")
            return
        }
        let (welcomed, handler) = state.withLock { ($0.info != nil, $0.calls.waiter(for: message.requestID)?.onProgress) }
        guard welcomed else {
            violation("sent PROGRESS before WELCOME")
            return
        }
        handler?(progress)
    }

    func handlePong(_ message: WireMessage) {
        let ping = (try? Secscore_Plugin_V1_Ping(serializedBytes: message.payload))
        var problem = ""
        let waiter: PingWaiter? = state.withLock { s in
            guard let waiter = s.pings.removeValue(forKey: message.requestID) else {
                problem = "sent a PONG for id \(message.requestID), which was not a PING"
                return nil
            }
            guard ping?.nonce == waiter.nonce else {
                problem = "sent a PONG whose nonce does not match the PING's"
                return nil
            }
            return waiter
        }
        if let waiter {
            let elapsed = monotonicNanos() - waiter.sentAt
            waiter.continuation.resume(returning: .success(Duration.nanoseconds(Int64(elapsed))))
        } else {
            violation(problem)
        }
    }

    // MARK: Faults

    /// Stops the plugin for breaking the protocol.
    func violation(_ why: String) {
        let error = state.withLock { s in PluginError(.protocolViolation, plugin: s.name, "broke the protocol: \(why); stopped it") }
        failAndKill(error)
    }

    func failAndKill(_ error: PluginError) {
        state.withLock { s in
            var goAway = Secscore_Plugin_V1_GoAway()
            goAway.code = .internal
            goAway.reason = error.reason
            if s.stdinOpen {
                try? s.outbound.append(goAway, type: .goAway, requestID: 0, maxFrameBytes: s.frameLimitOut)
                flush(&s)
            }
            fail(&s, error, kill: true)
        }
        killIfRequested()
    }

    func killIfRequested() {
        let kill = state.withLock { s in
            let k = s.killRequested
            if k {
                s.killRequested = false
                s.stage = .killed
            }
            return k
        }
        if kill { process?.killGroup(SIGKILL) }
    }
}
