import Glibc
import Logging
import SecScorePOSIX
import SecScoreWire
import SwiftProtobuf
import Synchronization
import SystemPackage

/// The plugin side of one session: reads frames on its own threads, runs
/// each request as a task (inline on the reading thread while the other
/// stands by, see `ReaderRelay`), and guarantees exactly one terminal
/// response per request id whatever happens first (answer, cancel,
/// deadline).
final class PluginSession: Sendable {
    private let plugin: any SecScorePlugin
    private let channel: ProtocolChannel
    private let welcome: Secscore_Plugin_V1_Welcome
    private let checks: Set<String>
    /// Each check's required facets, by requirement id.
    private let requiredFacets: [String: [Secscore_Tenant_V1_Facet]]
    private let writer: Mutex<[UInt8]>
    private let state: Mutex<State>
    private let relay = ReaderRelay()
    /// The frame decoder travels with the reader role.
    private let input = InputBuffer()

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
        /// Checks running right now, by request id: lets CANCEL and
        /// deadlines cancel a check that is still inside its inline run,
        /// before its Task handle exists. Removed (under the lock) before
        /// the task ends, so a cancel never reaches a finished task.
        var running: [UInt32: RunningCheck] = [:]
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
            startThread { [self] in self.serve(reading: true) }
            startThread { [self] in self.serve(reading: false) }
        }
    }

    /// One of the two reading threads: reads while it holds the reader
    /// role, stands by while the other does.
    private func serve(reading: Bool) {
        var reading = reading
        while true {
            if !reading {
                guard relay.standBy() else { return }
            }
            switch readLoop() {
            case .overtaken:
                reading = false
            case .sessionOver, .keepReading:
                relay.end()
                return
            }
        }
    }

    private func end(_ code: Int32) {
        let continuation: CheckedContinuation<Int32, Never>? = state.withLock { s in
            guard s.exitCode == nil else { return nil }
            s.exitCode = code
            for (_, task) in s.live { task.cancel() }
            for (_, running) in s.running { running.task.cancel() }
            let c = s.finished
            s.finished = nil
            return c
        }
        continuation?.resume(returning: code)
    }

    // MARK: Reading

    private enum Next {
        case keepReading, overtaken, sessionOver
    }

    /// Reads and handles frames while this thread holds the reader role.
    private func readLoop() -> Next {
        while true {
            // Frames the previous reader had read but not handled come first.
            do {
                // A request is decoded where it lies in the read buffer (or
                // where its fragments were joined), without a copy; one that
                // comes before HELLO is refused by `handle` undecoded.
                while let frame = try input.decoder.next(
                    inPlace: { $0 == .request && state.withLock { $0.helloSeen } },
                    { _, id, payload in (id, Self.decodeRequest(payload)) })
                {
                    let next: Next
                    switch frame {
                    case .message(let message): next = handle(message)
                    case .inPlace(let (id, decoded)): next = handleRequest(id: id, decoded)
                    }
                    if case .keepReading = next { continue }
                    return next
                }
            } catch {
                protocolError("\(error)")
                return .sessionOver
            }
            // With requests in flight, wait for input only until the next
            // deadline; with none, block in read.
            if let wait = expireDeadlines() {
                var fd = pollfd(fd: channel.input.rawValue, events: Int16(POLLIN), revents: 0)
                let ready = poll(&fd, 1, wait)
                if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            }
            // Raw read(2): the decoder fills its own buffer in place.
            let n = input.decoder.readInto { buffer in read(channel.input.rawValue, buffer.baseAddress, buffer.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                // End of stdin: the host is done with us (or gone).
                end(0)
                return .sessionOver
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

    private func handle(_ message: WireMessage) -> Next {
        let helloSeen = state.withLock { $0.helloSeen }
        if !helloSeen {
            guard message.type == .hello else {
                protocolError("expected HELLO as the first frame, got \(message.type)")
                return .sessionOver
            }
            return handleHello(message) ? .keepReading : .sessionOver
        }
        switch message.type {
        case .request:
            return handleRequest(id: message.requestID, message.payload.withUnsafeBytes { Self.decodeRequest($0) })
        case .cancel:
            respondError(message.requestID, .cancelled, "cancelled by the host", cancelTask: true)
        case .ping:
            send(type: .pong, id: message.requestID, payload: message.payload)
        case .goAway:
            state.withLock { $0.goAway = true }
        case .hello:
            protocolError("received a second HELLO")
            return .sessionOver
        case .welcome, .response, .log, .progress, .pong:
            protocolError("received a \(message.type) frame, which only a plugin may send")
            return .sessionOver
        default:
            break  // Unknown frame types are skipped.
        }
        return .keepReading
    }

    private func handleHello(_ message: WireMessage) -> Bool {
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
        input.decoder.maxFrameBytes = limit
        input.decoder.maxMessageBytes = welcome.maxMessageBytes
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

    /// Decodes a REQUEST payload: the plain case without SwiftProtobuf's
    /// visitors; anything else (unknown fields, merged ones, malformed
    /// bytes) through it. Nothing refers to `payload` afterwards.
    private static func decodeRequest(_ payload: UnsafeRawBufferPointer) -> Result<Secscore_Plugin_V1_EvaluateRequest, any Error> {
        if let plain = RequestDecoder.evaluateRequest(payload) { return .success(plain) }
        return Result { try Secscore_Plugin_V1_EvaluateRequest(serializedBytes: Array(payload)) }
    }

    /// Admits a request and runs its check: inline on this thread when the
    /// other one stands by, else as a task on the pool. Called only after
    /// HELLO: `readLoop` decodes requests in place only then, and `handle`
    /// refuses any frame before it.
    private func handleRequest(id: UInt32, _ decoded: Result<Secscore_Plugin_V1_EvaluateRequest, any Error>) -> Next {
        let request: Secscore_Plugin_V1_EvaluateRequest
        switch decoded {
        case .success(let r): request = r
        case .failure(let error):
            rejectRequest(id, .invalidArgument, "request payload is not a valid EvaluateRequest: \(error)")
            return .keepReading
        }
        guard checks.contains(request.requirementID) else {
            rejectRequest(id, .unimplemented, "this plugin does not check requirement \(request.requirementID)")
            return .keepReading
        }
        // Admitted with its deadline in one critical section: the deadline
        // must stand before the check starts, since it may run inline.
        let admission: Result<(timeoutMs: UInt32, logLevel: Secscore_Plugin_V1_LogLevel), Refusal> = state.withLock { s in
            if s.goAway { return .failure(Refusal(.unavailable, "the plugin is shutting down")) }
            if id == 0 || id <= s.seenIDs {
                return .failure(Refusal(.failedPrecondition, "request id \(id) is not larger than every earlier id"))
            }
            if s.live.count + s.reserved.count >= Int(welcome.maxConcurrentRequests) {
                return .failure(Refusal(.resourceExhausted, "more than \(welcome.maxConcurrentRequests) requests in flight"))
            }
            s.seenIDs = id
            s.reserved.insert(id)
            let timeoutMs = request.deadlineMs != 0 ? request.deadlineMs : s.defaultTimeoutMs
            s.deadlines[id] = (monotonicNanos() + UInt64(timeoutMs) * 1_000_000, timeoutMs)
            return .success((timeoutMs, s.hostLogLevel))
        }
        let timeoutMs: UInt32
        let hostLogLevel: Secscore_Plugin_V1_LogLevel
        switch admission {
        case .failure(let refusal):
            rejectRequest(id, refusal.code, refusal.message)
            return .keepReading
        case .success(let admitted):
            (timeoutMs, hostLogLevel) = admitted
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
            return .keepReading
        }
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeoutMs))
        var parameters: [String: [String]] = [:]
        for p in request.parameters { parameters[p.name, default: []] += p.values }
        let checkRequest = CheckRequest(
            id: id, requirementID: request.requirementID, context: request.context,
            facets: request.facets, parameters: parameters, deadline: deadline, session: self,
            logLevel: Logger.Level(wire: hostLogLevel), label: welcome.pluginName)
        let requirementID = request.requirementID
        let task: Task<Void, Never>
        var stillReading = true
        if let ticket = relay.beginInline() {
            // Runs here until the check finishes or first suspends.
            task = Task.immediate { [self] in await runCheck(checkRequest, requirementID: requirementID) }
            stillReading = relay.endInline(ticket)
        } else {
            task = Task { [self] in await runCheck(checkRequest, requirementID: requirementID) }
        }
        let alreadyAnswered = state.withLock { s in
            guard s.reserved.remove(id) != nil else { return true }
            s.live[id] = task
            return false
        }
        if alreadyAnswered { task.cancel() }
        return stillReading ? .keepReading : .overtaken
    }

    private func runCheck(_ request: CheckRequest, requirementID: String) async {
        let id = request.id
        withUnsafeCurrentTask { task in
            guard let task else { return }
            // A request already answered (cancelled, past its deadline)
            // starts cancelled.
            let answered = state.withLock { s in
                guard s.reserved.contains(id) || s.live[id] != nil else { return true }
                s.running[id] = RunningCheck(task: task)
                return false
            }
            if answered { task.cancel() }
        }
        let plugin = self.plugin
        do {
            let finding = try await withLogger(request.logger) { _ in try await plugin.evaluate(request) }
            finished(id)
            respond(id, finding: finding.wire(requirementID: requirementID))
        } catch let error as CheckError {
            finished(id)
            respondError(id, error.code, error.message)
        } catch is CancellationError {
            finished(id)
            respondError(id, .cancelled, "the check was cancelled")
        } catch {
            finished(id)
            respondError(id, .internal, "\(error)")
        }
    }

    /// The check returned: it can no longer be cancelled through `running`.
    private func finished(_ id: UInt32) {
        state.withLock { _ = $0.running.removeValue(forKey: id) }
    }

    /// A running check's task, for cancelling it from the reading thread.
    /// Unchecked because `UnsafeCurrentTask` must not outlive its task: it is
    /// stored when the check starts and removed, under the session's lock,
    /// before the check's task can end, and only used under that lock.
    struct RunningCheck: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    private struct Refusal: Error {
        var code: Secscore_Plugin_V1_Code
        var message: String
        init(_ code: Secscore_Plugin_V1_Code, _ message: String) {
            self.code = code
            self.message = message
        }
    }

    // MARK: Writing

    /// Claims the right to send request `id`'s terminal response. Exactly one
    /// caller wins; the others' answers are dropped.
    private func claim(_ id: UInt32, cancelTask: Bool) -> Bool {
        let (won, task): (Bool, Task<Void, Never>?) = state.withLock { s in
            s.deadlines[id] = nil
            if cancelTask, let running = s.running.removeValue(forKey: id) {
                // Cancelled under the lock: `finished` cannot have let the
                // task end in between.
                running.task.cancel()
            }
            if let task = s.live.removeValue(forKey: id) { return (true, task) }
            if s.reserved.remove(id) != nil { return (true, nil) }
            return (false, nil)
        }
        if cancelTask { task?.cancel() }
        return won
    }

    private func respond(_ id: UInt32, finding: Secscore_Plugin_V1_Finding) {
        guard claim(id, cancelTask: false) else { return }
        // SwiftProtobuf only for what FindingEncoder leaves to it.
        let encoded = FindingEncoder.evaluateResponse(finding) ?? {
            var response = Secscore_Plugin_V1_EvaluateResponse()
            response.finding = finding
            return try? response.serializedBytes()
        }()
        guard let payload = encoded else {
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
            if payload.count >= FrameWriter.directBytes {
                return FrameWriter.writeFrames(
                    fd: channel.output.rawValue, type: type, requestID: id, payload: payload, maxFrameBytes: limit)
            }
            buffer.removeAll(keepingCapacity: true)
            FrameEncoder.append(type: type, requestID: id, payload: payload, maxFrameBytes: limit, to: &buffer)
            // Not `writeAll`: it is generic over Sequence and unspecialised
            // here, which perf showed as a tenth of the SDK's small answer.
            return buffer.withUnsafeBytes { bytes in
                var rest = bytes[...]
                while !rest.isEmpty {
                    guard let n = try? channel.output.write(UnsafeRawBufferPointer(rebasing: rest)) else { return false }
                    rest = rest.dropFirst(n)
                }
                return true
            }
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
