import Glibc
import Logging
import SecScorePOSIX
import SecScoreWire
import SwiftProtobuf
import Synchronization
import SystemPackage

/// The plugin side of one session: reads frames on its own thread, runs
/// each request as a task, and guarantees exactly one terminal response per
/// request id whatever happens first (answer, cancel, deadline).
final class PluginSession: Sendable {
    private let plugin: any SecScorePlugin
    private let channel: ProtocolChannel
    private let welcome: Secscore_Plugin_V1_Welcome
    private let checks: Set<String>
    /// Each check's required facets, by requirement id.
    private let requiredFacets: [String: [Secscore_Tenant_V1_Facet]]
    private let writer: Mutex<[UInt8]>
    private let state: Mutex<State>

    private struct State {
        var helloSeen = false
        var goAway = false
        var frameLimitOut = ProtocolLimits.defaultMaxFrameBytes
        /// The largest message the host accepts (Hello.max_message_bytes).
        var messageLimitOut = ProtocolLimits.defaultMaxMessageBytes
        var hostLogLevel: Secscore_Plugin_V1_LogLevel = .info
        var defaultTimeoutMs: UInt32 = 30_000
        /// Requests without a terminal response yet.
        var live: [UInt32: Task<Void, Never>] = [:]
        var reserved: Set<UInt32> = []
        /// When each live request's deadline passes (monotonic ns), and its
        /// timeout for the message. The read thread enforces them: a timer
        /// task per request cost more than many checks.
        var deadlines: [UInt32: (at: UInt64, timeoutMs: UInt32)] = [:]
        var seenIDs: UInt32 = 0
        var exitCode: Int32?
        var finished: CheckedContinuation<Int32, Never>?
    }

    init(plugin: any SecScorePlugin, channel: ProtocolChannel, welcome: Secscore_Plugin_V1_Welcome) {
        self.plugin = plugin
        self.channel = channel
        self.welcome = welcome
        self.checks = Set(welcome.manifest.checks.map(\.requirementID))
        self.requiredFacets = Dictionary(
            welcome.manifest.checks.map { ($0.requirementID, $0.requiredFacets) }, uniquingKeysWith: { first, _ in first })
        self.writer = Mutex([])
        self.state = Mutex(State())
    }

    /// Serves the session until stdin ends; returns the exit code.
    func run() async -> Int32 {
        await withCheckedContinuation { continuation in
            state.withLock { $0.finished = continuation }
            startThread { [self] in self.readLoop() }
        }
    }

    private func end(_ code: Int32) {
        let continuation: CheckedContinuation<Int32, Never>? = state.withLock { s in
            guard s.exitCode == nil else { return nil }
            s.exitCode = code
            for (_, task) in s.live { task.cancel() }
            let c = s.finished
            s.finished = nil
            return c
        }
        continuation?.resume(returning: code)
    }

    // MARK: Reading

    private func readLoop() {
        var decoder = FrameDecoder()
        while true {
            // With requests in flight, wait for input only until the next
            // deadline; with none, block in read.
            if let wait = expireDeadlines() {
                var fd = pollfd(fd: channel.input.rawValue, events: Int16(POLLIN), revents: 0)
                let ready = poll(&fd, 1, wait)
                if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            }
            // Raw read(2): the decoder fills its own buffer in place.
            let n = decoder.readInto { buffer in read(channel.input.rawValue, buffer.baseAddress, buffer.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                // End of stdin: the host is done with us (or gone).
                end(0)
                return
            }
            do {
                while let message = try decoder.next() {
                    if !handle(message, decoder: &decoder) { return }
                }
            } catch {
                protocolError("\(error)")
                return
            }
        }
    }

    /// Answers every request whose deadline has passed with
    /// DEADLINE_EXCEEDED (cancelling its task); returns the milliseconds
    /// until the next deadline, or nil when none is pending.
    private func expireDeadlines() -> Int32? {
        let now = monotonicNanos()
        let (expired, next) = state.withLock { s -> ([(UInt32, UInt32)], UInt64?) in
            guard !s.deadlines.isEmpty else { return ([], nil) }
            var expired: [(UInt32, UInt32)] = []
            var next: UInt64?
            for (id, d) in s.deadlines {
                if d.at <= now { expired.append((id, d.timeoutMs)) } else { next = min(next ?? d.at, d.at) }
            }
            return (expired, next)
        }
        for (id, timeoutMs) in expired {
            respondError(id, .deadlineExceeded, "the check did not finish within \(timeoutMs) ms", cancelTask: true)
        }
        guard let next else { return expired.isEmpty ? nil : 0 }
        return Int32(clamping: (next - min(next, monotonicNanos()) + 999_999) / 1_000_000)
    }

    /// Returns false when the session is over.
    private func handle(_ message: WireMessage, decoder: inout FrameDecoder) -> Bool {
        let helloSeen = state.withLock { $0.helloSeen }
        if !helloSeen {
            guard message.type == .hello else {
                protocolError("expected HELLO as the first frame, got \(message.type)")
                return false
            }
            return handleHello(message, decoder: &decoder)
        }
        switch message.type {
        case .request:
            handleRequest(message)
        case .cancel:
            respondError(message.requestID, .cancelled, "cancelled by the host", cancelTask: true)
        case .ping:
            send(type: .pong, id: message.requestID, payload: message.payload)
        case .goAway:
            state.withLock { $0.goAway = true }
        case .hello:
            protocolError("received a second HELLO")
            return false
        case .welcome, .response, .log, .progress, .pong:
            protocolError("received a \(message.type) frame, which only a plugin may send")
            return false
        default:
            break  // Unknown frame types are skipped.
        }
        return true
    }

    private func handleHello(_ message: WireMessage, decoder: inout FrameDecoder) -> Bool {
        guard let hello = try? Secscore_Plugin_V1_Hello(serializedBytes: message.payload) else {
            protocolError("HELLO payload is not a valid Hello message")
            return false
        }
        guard hello.protocolMajors.contains(ProtocolLimits.protocolMajor) else {
            var goAway = Secscore_Plugin_V1_GoAway()
            goAway.code = .failedPrecondition
            goAway.reason = "no common protocol version: the host offers majors \(hello.protocolMajors), this plugin (\(PluginRuntime.sdkName)) speaks \(ProtocolLimits.protocolMajor)"
            goAway.supportedMajors = [ProtocolLimits.protocolMajor]
            send(goAway, type: .goAway, id: 0)
            end(3)
            return false
        }
        let limit = ProtocolLimits.negotiatedFrameLimit(hello.maxFrameBytes, welcome.maxFrameBytes)
        decoder.maxFrameBytes = limit
        decoder.maxMessageBytes = welcome.maxMessageBytes
        state.withLock { s in
            s.helloSeen = true
            s.frameLimitOut = limit
            // 0 means the default; below 64 KiB reads as 64 KiB (docs/PROTOCOL.md, 2).
            let stated = hello.maxMessageBytes == 0 ? ProtocolLimits.defaultMaxMessageBytes : hello.maxMessageBytes
            s.messageLimitOut = max(stated, UInt64(ProtocolLimits.minimumMaxFrameBytes))
            // LOG_LEVEL_UNSPECIFIED (0) means INFO.
            s.hostLogLevel = hello.logLevel == .unspecified ? .info : hello.logLevel
            if hello.defaultRequestTimeoutMs > 0 { s.defaultTimeoutMs = hello.defaultRequestTimeoutMs }
        }
        send(welcome, type: .welcome, id: 0)
        return true
    }

    private func handleRequest(_ message: WireMessage) {
        let id = message.requestID
        let request: Secscore_Plugin_V1_EvaluateRequest
        do {
            request = try Secscore_Plugin_V1_EvaluateRequest(serializedBytes: message.payload)
        } catch {
            rejectRequest(id, .invalidArgument, "request payload is not a valid EvaluateRequest: \(error)")
            return
        }
        guard checks.contains(request.requirementID) else {
            rejectRequest(id, .unimplemented, "this plugin does not check requirement \(request.requirementID)")
            return
        }
        let refusal: (Secscore_Plugin_V1_Code, String)? = state.withLock { s in
            if s.goAway { return (.unavailable, "the plugin is shutting down") }
            if id == 0 || id <= s.seenIDs { return (.failedPrecondition, "request id \(id) is not larger than every earlier id") }
            if s.live.count + s.reserved.count >= Int(welcome.maxConcurrentRequests) {
                return (.resourceExhausted, "more than \(welcome.maxConcurrentRequests) requests in flight")
            }
            s.seenIDs = id
            s.reserved.insert(id)
            return nil
        }
        let (defaultTimeoutMs, hostLogLevel) = state.withLock { ($0.defaultTimeoutMs, $0.hostLogLevel) }
        let timeoutMs = request.deadlineMs != 0 ? request.deadlineMs : defaultTimeoutMs
        if let (code, message) = refusal {
            rejectRequest(id, code, message)
            return
        }
        let missing = (requiredFacets[request.requirementID] ?? []).filter { !request.facets.has($0) }
        if !missing.isEmpty {
            // The host never sends this (it reports "could not check"
            // itself); another host might, and absent data must never read
            // as "no items".
            var finding = Secscore_Plugin_V1_Finding()
            finding.requirementID = request.requirementID
            finding.status = .couldNotCheck
            finding.insights = [
                "The request carries no \(missing.map { "\($0)" }.joined(separator: ", ")) data, which this check requires; nothing was decided."
            ]
            respond(id, finding: finding)
            return
        }
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeoutMs))
        var parameters: [String: [String]] = [:]
        for p in request.parameters { parameters[p.name, default: []] += p.values }
        let checkRequest = CheckRequest(
            id: id, requirementID: request.requirementID, context: request.context,
            facets: request.facets, parameters: parameters, deadline: deadline, session: self,
            logLevel: Logger.Level(wire: hostLogLevel), label: welcome.pluginName)
        let plugin = self.plugin
        let task = Task { [self] in
            do {
                let finding = try await withLogger(checkRequest.logger) { _ in try await plugin.evaluate(checkRequest) }
                respond(id, finding: finding.wire(requirementID: request.requirementID))
            } catch let error as CheckError {
                respondError(id, error.code, error.message)
            } catch is CancellationError {
                respondError(id, .cancelled, "the check was cancelled")
            } catch {
                respondError(id, .internal, "\(error)")
            }
        }
        let alreadyAnswered = state.withLock { s in
            guard s.reserved.remove(id) != nil else { return true }
            s.live[id] = task
            s.deadlines[id] = (monotonicNanos() + UInt64(timeoutMs) * 1_000_000, timeoutMs)
            return false
        }
        if alreadyAnswered { task.cancel() }
    }

    // MARK: Writing

    /// Claims the right to send request `id`'s terminal response. Exactly one
    /// caller wins; the others' answers are dropped.
    private func claim(_ id: UInt32, cancelTask: Bool) -> Bool {
        let (won, task): (Bool, Task<Void, Never>?) = state.withLock { s in
            s.deadlines[id] = nil
            if let task = s.live.removeValue(forKey: id) { return (true, task) }
            if s.reserved.remove(id) != nil { return (true, nil) }
            return (false, nil)
        }
        if cancelTask { task?.cancel() }
        return won
    }

    private func respond(_ id: UInt32, finding: Secscore_Plugin_V1_Finding) {
        guard claim(id, cancelTask: false) else { return }
        var response = Secscore_Plugin_V1_EvaluateResponse()
        response.finding = finding
        guard let payload: [UInt8] = try? response.serializedBytes() else {
            sendError(id, .internal, "the finding cannot be serialised")
            return
        }
        let limit = state.withLock { $0.messageLimitOut }
        guard UInt64(payload.count) <= limit else {
            // Sending it would end the whole session at the host; an error
            // ends only this request.
            sendError(id, .resourceExhausted, "the finding is \(payload.count) bytes; the host accepts messages of at most \(limit) bytes")
            return
        }
        send(type: .response, id: id, payload: payload)
    }

    /// Ends an admitted request with a call error, unless it already ended.
    private func respondError(_ id: UInt32, _ code: Secscore_Plugin_V1_Code, _ message: String, cancelTask: Bool = false) {
        guard claim(id, cancelTask: cancelTask) else { return }
        sendError(id, code, message)
    }

    /// Answers a request that was never admitted (malformed, unknown, over
    /// the limit): it has no task and no claim to race with.
    private func rejectRequest(_ id: UInt32, _ code: Secscore_Plugin_V1_Code, _ message: String) {
        sendError(id, code, message)
    }

    private func sendError(_ id: UInt32, _ code: Secscore_Plugin_V1_Code, _ message: String) {
        var response = Secscore_Plugin_V1_EvaluateResponse()
        var error = Secscore_Plugin_V1_CallError()
        error.code = code
        error.message = message
        // An error must reach the host even when its text is huge: past the
        // host's message limit (at least 64 KiB), keep the first 1 KiB.
        if UInt64(message.utf8.count) + 64 > state.withLock({ $0.messageLimitOut }) {
            var cut = String(message.prefix(1024))
            while cut.utf8.count > 1024 { cut.removeLast() }
            error.message = cut
        }
        response.error = error
        send(response, type: .response, id: id)
    }

    func log(_ level: Secscore_Plugin_V1_LogLevel, _ message: String, fields: [String: String], requestID: UInt32) {
        let wanted = state.withLock { level.rawValue >= $0.hostLogLevel.rawValue }
        guard wanted else { return }
        var log = Secscore_Plugin_V1_Log()
        log.level = level
        log.message = message
        log.fields = fields.sorted { $0.key < $1.key }.map { pair in
            var a = Secscore_Plugin_V1_Attribute()
            a.name = pair.key
            a.value = pair.value
            return a
        }
        send(log, type: .log, id: requestID)
    }

    func progress(id: UInt32, completed: UInt64, total: UInt64, message: String) {
        var p = Secscore_Plugin_V1_Progress()
        p.completed = completed
        p.total = total
        p.message = message
        send(p, type: .progress, id: id)
    }

    private func send(_ message: some SwiftProtobuf.Message, type: FrameType, id: UInt32) {
        guard let payload: [UInt8] = try? message.serializedBytes() else { return }
        send(type: type, id: id, payload: payload)
    }

    private func send(type: FrameType, id: UInt32, payload: [UInt8]) {
        let limit = state.withLock { $0.frameLimitOut }
        let written: Bool = writer.withLock { buffer in
            buffer.removeAll(keepingCapacity: true)
            FrameEncoder.append(type: type, requestID: id, payload: payload, maxFrameBytes: limit, to: &buffer)
            return (try? channel.output.writeAll(buffer)) != nil
        }
        if !written {
            // The host stopped reading: nothing more can be said.
            end(0)
        }
    }

    private func protocolError(_ why: String) {
        var goAway = Secscore_Plugin_V1_GoAway()
        goAway.code = .invalidArgument
        goAway.reason = "protocol error: \(why)"
        send(goAway, type: .goAway, id: 0)
        writeStderr("\(PluginRuntime.sdkName): protocol error: \(why)\n")
        end(2)
    }
}

extension Secscore_Tenant_V1_Facets {
    /// Whether the facet's message is present (its file was provided).
    func has(_ facet: Secscore_Tenant_V1_Facet) -> Bool {
        switch facet {
        case .partner: hasPartner
        case .securityContact: hasSecurityContact
        case .roleDefinitions: hasRoleDefinitions
        case .roleAssignments: hasRoleAssignments
        case .roleEligibilities: hasRoleEligibilities
        case .users: hasUsers
        case .groups: hasGroups
        case .registrationDetails: hasRegistrationDetails
        case .securityDefaults: hasSecurityDefaults
        case .conditionalAccessPolicies: hasConditionalAccessPolicies
        case .securityAlerts: hasSecurityAlerts
        case .customerMfa: hasCustomerMfa
        case .spendingBudgets: hasSpendingBudgets
        case .groupEligibilities: hasGroupEligibilities
        // A facet this SDK does not know cannot be checked for; the
        // check itself decides.
        default: true
        }
    }
}
