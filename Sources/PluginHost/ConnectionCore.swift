import CSecScoreHostShims
import Glibc
import SecScorePOSIX
import SecScoreWire
import SwiftProtobuf
import Synchronization

/// The shared state of one session and the I/O thread that serves it.
///
/// One thread per plugin polls stdout, stderr, the process's pidfd, a wake
/// eventfd and (when output is queued) stdin, so no pipe can fill up and
/// block the other, and every deadline is a poll timeout. Callers write
/// frames directly while the pipe has room and leave the rest to the thread.
/// Only the I/O thread closes descriptors, and only under the lock, so a
/// writer never sees a descriptor number that was reused.
///
/// Reading stdout has one owner at a time (`StdoutOwner`). When a caller
/// sends a request while nobody is reading, the caller itself waits on
/// stdout for a short window and handles what arrives (leader/follower):
/// a quick answer then reaches its caller without two thread hand-offs.
/// Otherwise, and after the window, the I/O thread reads.
final class ConnectionCore: Sendable {
    let configuration: PluginHostConfiguration
    /// How the session ends: GOAWAY, SIGTERM, SIGKILL, with the configured graces.
    let teardown: Teardown
    let process: PluginProcess?
    private let stdinFD: Int32
    private let stdoutFD: Int32
    private let stderrFD: Int32
    private let wakeFD: Int32
    private let state: Mutex<State>
    /// The frame decoder of stdout, used by whoever owns stdout.
    private let reader: Mutex<FrameDecoder>

    /// How long a caller that sent a request while nobody was reading waits
    /// on stdout itself before leaving it to the I/O thread. Long enough for
    /// a quick check's answer, short enough that a blocked thread of the
    /// concurrency pool does not hold up other work.
    static let leaderWindowNanos: UInt64 = 1_000_000

    typealias CallResult = Result<Secscore_Plugin_V1_Finding, PluginError>
    typealias HandshakeContinuation = CheckedContinuation<Result<PluginInfo, PluginError>, Never>

    /// Who waits for a request's answer.
    struct Pending {
        var continuation: CheckedContinuation<CallResult, Never>
        var onProgress: (@Sendable (Secscore_Plugin_V1_Progress) -> Void)?
    }

    /// Links a call to its request id across the cancellation handler.
    final class CallToken: Sendable {
        private let state = Mutex<(id: UInt32?, cancelled: Bool)>((nil, false))

        /// Records the id; false when the call was cancelled first.
        func assign(_ id: UInt32) -> Bool {
            state.withLock { s in
                if s.cancelled { return false }
                s.id = id
                return true
            }
        }

        /// Marks the call cancelled; returns its id if it was already sent.
        func cancel() -> UInt32? {
            state.withLock { s in
                s.cancelled = true
                return s.id
            }
        }
    }

    struct PingWaiter {
        var continuation: CheckedContinuation<Result<Duration?, PluginError>, Never>
        var sentAt: UInt64
        var deadline: UInt64
        var nonce: UInt64
    }

    struct SlotWaiter {
        var token: UInt64
        var continuation: CheckedContinuation<Bool, Never>
    }

    /// Who may read stdout.
    enum StdoutOwner {
        /// Nobody: no answer is awaited.
        case none
        /// The I/O thread.
        case io
        /// A caller waiting for its own answer.
        case leader
    }

    /// Where the session is in its `Teardown`.
    enum Stage {
        case running
        /// At step `step` of the teardown; the next one is due at `deadline`.
        case tearingDown(step: Int, deadline: UInt64)
        case killed
    }

    struct State {
        var name: String
        var info: PluginInfo?
        var handshake: HandshakeContinuation?
        var handshakeDeadline: UInt64 = 0
        var frameLimitOut: UInt32
        /// Requests, their ids, deadlines and owed answers.
        var calls = CallTable<Pending>()
        var pings: [UInt32: PingWaiter] = [:]
        var inFlight = 0
        var maxInFlight = 1
        var slotWaiters: [SlotWaiter] = []
        var nextToken: UInt64 = 0
        var outbound: [UInt8] = []
        var outboundStart = 0
        var stdinOpen = true
        var failure: PluginError?
        var exitStatus: ExitStatus?
        var stage: Stage = .running
        var shutdownRequested = false
        var killRequested = false
        var finished = false
        var finishWaiters: [CheckedContinuation<Void, Never>] = []
        var recentStderr: [String] = []
        /// The deadline the I/O thread's poll sleeps until (nil: no
        /// timeout). A caller adding an earlier deadline must wake it.
        var pollDeadline: UInt64?
        var statistics = ConnectionStatistics()
        var stdoutOwner = StdoutOwner.none
        /// Set once the I/O thread has closed stdout.
        var stdoutClosed = false
    }

    init(
        name: String, configuration: PluginHostConfiguration,
        stdin: Int32, stdout: Int32, stderr: Int32, process: PluginProcess?
    ) {
        self.configuration = configuration
        self.teardown = .polite(shutdownGrace: configuration.shutdownGrace, terminateGrace: configuration.terminateGrace)
        self.process = process
        self.stdinFD = stdin
        self.stdoutFD = stdout
        self.stderrFD = stderr
        self.wakeFD = ss_eventfd()
        self.reader = Mutex(FrameDecoder(maxFrameBytes: configuration.maxFrameBytes, maxMessageBytes: configuration.maxMessageBytes))
        _ = ss_set_nonblocking(stdin, 1)
        _ = ss_set_nonblocking(stdout, 1)
        self.state = Mutex(State(name: name, frameLimitOut: configuration.maxFrameBytes))
    }

    // MARK: - Caller side

    func start(handshake: HandshakeContinuation) {
        var hello = Secscore_Plugin_V1_Hello()
        hello.protocolMajors = [ProtocolLimits.protocolMajor]
        hello.hostName = configuration.hostName
        hello.hostVersion = configuration.hostVersion
        hello.maxFrameBytes = configuration.maxFrameBytes
        hello.maxMessageBytes = configuration.maxMessageBytes
        hello.handshakeTimeoutMs = UInt32(clamping: configuration.handshakeTimeout.nanoseconds / 1_000_000)
        hello.defaultRequestTimeoutMs = UInt32(clamping: configuration.requestTimeout.nanoseconds / 1_000_000)
        hello.shutdownGraceMs = UInt32(clamping: configuration.shutdownGrace.nanoseconds / 1_000_000)
        hello.logLevel = configuration.logLevel.wire
        state.withLock { s in
            s.handshake = handshake
            s.handshakeDeadline = monotonicNanos() + configuration.handshakeTimeout.nanoseconds
            // HELLO always fits one frame of the smallest legal limit.
            try? FrameEncoder.append(hello, type: .hello, requestID: 0, maxFrameBytes: ProtocolLimits.minimumMaxFrameBytes, to: &s.outbound)
            flush(&s)
        }
        startThread { [self] in
            self.runLoop()
        }
    }

    func call(
        _ request: Secscore_Plugin_V1_EvaluateRequest, timeout: Duration,
        onProgress: (@Sendable (Secscore_Plugin_V1_Progress) -> Void)?
    ) async -> CallResult {
        var request = request
        request.deadlineMs = UInt32(clamping: max(1, timeout.nanoseconds / 1_000_000))
        let payload: [UInt8]
        do {
            payload = try request.serializedBytes()
        } catch {
            return .failure(PluginError(.requestTooLarge, plugin: name, "cannot serialise the request: \(error)"))
        }
        if let limit = state.withLock({ $0.info?.maxMessageBytes }), UInt64(payload.count) > limit {
            return .failure(
                PluginError(
                    .requestTooLarge, plugin: name,
                    "request for \(request.requirementID) is \(payload.count) bytes; the plugin accepts at most \(limit)"))
        }
        if let error = await acquireSlot() {
            return .failure(error)
        }
        let requirementID = request.requirementID
        // The id is taken in the same critical section that queues the frame,
        // so ids reach the plugin in increasing order; the token lets the
        // cancellation handler find it (or stop it from being taken).
        let token = CallToken()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<CallResult, Never>) in
                var leading: UInt32?
                let rejected: PluginError? = state.withLock { s in
                    if let failure = s.failure ?? (s.shutdownRequested ? shutDownError(s.name) : nil) {
                        s.inFlight -= 1
                        return failure
                    }
                    guard let id = s.calls.takeID() else {
                        s.inFlight -= 1
                        return PluginError(.resourceExhausted, plugin: s.name, "request ids are exhausted; start a new session")
                    }
                    guard token.assign(id) else {
                        s.inFlight -= 1
                        return PluginError(.cancelled, plugin: s.name, "request was cancelled before it was sent")
                    }
                    if s.stdoutOwner == .none, !s.stdoutClosed, s.info != nil, case .running = s.stage {
                        s.stdoutOwner = .leader
                        leading = id
                    }
                    let now = monotonicNanos()
                    let deadline = now + timeout.nanoseconds
                    s.calls.open(id, .init(
                        waiter: Pending(continuation: continuation, onProgress: onProgress),
                        requirementID: requirementID, deadline: deadline, timeout: timeout))
                    FrameEncoder.append(type: .request, requestID: id, payload: payload, maxFrameBytes: s.frameLimitOut, to: &s.outbound)
                    s.statistics.requestsSent += 1
                    if flush(&s) || s.pollDeadline.map({ deadline < $0 }) ?? true { wake() }
                    return nil
                }
                if let rejected { continuation.resume(returning: .failure(rejected)) }
                // Resuming the continuation here, in its own body, returns
                // the answer to this task without a hop to another thread.
                if let leading { lead(awaiting: leading) }
            }
        } onCancel: {
            if let id = token.cancel() {
                abandon(id, reason: "cancelled by the host", error: { PluginError(.cancelled, plugin: $0, "request \(id) was cancelled") })
            }
        }
    }

    func ping(timeout: Duration) async -> Result<Duration?, PluginError> {
        await withCheckedContinuation { continuation in
            let outcome: Result<Duration?, PluginError>? = state.withLock { s in
                if let failure = s.failure { return .failure(failure) }
                if s.shutdownRequested { return .failure(shutDownError(s.name)) }
                if s.inFlight > 0 || s.calls.openCount > 0 { return .success(nil) }
                guard let id = s.calls.takeID() else { return .success(nil) }
                let now = monotonicNanos()
                var ping = Secscore_Plugin_V1_Ping()
                ping.nonce = now
                s.pings[id] = PingWaiter(continuation: continuation, sentAt: now, deadline: now + timeout.nanoseconds, nonce: now)
                try? FrameEncoder.append(ping, type: .ping, requestID: id, maxFrameBytes: s.frameLimitOut, to: &s.outbound)
                flush(&s)
                wake()
                return nil
            }
            if let outcome { continuation.resume(returning: outcome) }
        }
    }

    func requestShutdown() {
        state.withLock { s in
            guard !s.shutdownRequested, !s.finished else { return }
            s.shutdownRequested = true
            var goAway = Secscore_Plugin_V1_GoAway()
            goAway.code = .ok
            goAway.reason = "host is shutting down"
            if s.stdinOpen {
                try? FrameEncoder.append(goAway, type: .goAway, requestID: 0, maxFrameBytes: s.frameLimitOut, to: &s.outbound)
            }
            s.stage = .tearingDown(step: 0, deadline: monotonicNanos() + teardown.steps[0].grace.nanoseconds)
            failWaiters(&s, with: shutDownError(s.name))
            flush(&s)
            wake()
        }
    }

    func waitUntilFinished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s in
                if s.finished { return true }
                s.finishWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    var failure: PluginError? { state.withLock { $0.failure } }
    var exitStatus: ExitStatus? { state.withLock { $0.exitStatus } }
    var isFinished: Bool { state.withLock { $0.finished } }
    var statistics: ConnectionStatistics { state.withLock { $0.statistics } }
    private var name: String { state.withLock { $0.name } }

    // MARK: - Leading

    /// The caller owns stdout: waits on it for up to the leader window and
    /// handles every frame that arrives (its own answer, others' answers,
    /// logs), then hands stdout back. Ends, handing over to the I/O thread,
    /// at end of stream or anything unusual.
    private func lead(awaiting id: UInt32) {
        let until = monotonicNanos() + Self.leaderWindowNanos
        while true {
            if state.withLock({ !$0.calls.isOpen(id) }) { break }  // answered, failed or cancelled
            let now = monotonicNanos()
            guard now < until else { break }
            var fd = pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fd, 1, Int32(clamping: (until - now + 999_999) / 1_000_000))
            if ready < 0, errno == EINTR { continue }
            guard ready > 0, fd.revents & Int16(POLLIN) != 0 else { break }
            let n = reader.withLock { decoder in
                decoder.readInto { buffer in read(stdoutFD, buffer.baseAddress, buffer.count) }
            }
            if n < 0, errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
            guard n > 0 else { break }  // end of stream: the I/O thread judges it
            guard handleDecoded() else { break }
        }
        handStdoutBack()
    }

    /// Reads and handles whatever the plugin has written that nobody has
    /// read yet, without waiting. While nothing is awaited the I/O thread
    /// leaves stdout alone (so the next caller can lead); a caller about to
    /// trust earlier answers settles first, so that anything the plugin
    /// wrote after them (a second answer, garbage) is judged in time.
    func settle() {
        let mine = state.withLock { s in
            guard s.stdoutOwner == .none, !s.stdoutClosed else { return false }
            s.stdoutOwner = .leader
            return true
        }
        guard mine else { return }
        while true {
            let n = reader.withLock { decoder in
                decoder.readInto { buffer in read(stdoutFD, buffer.baseAddress, buffer.count) }
            }
            if n < 0, errno == EINTR { continue }
            guard n > 0, handleDecoded() else { break }
        }
        handStdoutBack()
    }

    /// A caller gives stdout back, waking the I/O thread when it must
    /// watch it.
    private func handStdoutBack() {
        let wakeIO = state.withLock { s in
            s.stdoutOwner = .none
            return needsStdout(s)
        }
        if wakeIO { wake() }
    }

    /// Whether the I/O thread must watch stdout: an answer, a PONG or a
    /// WELCOME is awaited, or the session is ending.
    private func needsStdout(_ s: State) -> Bool {
        guard case .running = s.stage else { return true }
        return s.handshake != nil || !s.calls.isEmpty || !s.pings.isEmpty
            || s.shutdownRequested || s.failure != nil || s.killRequested
    }

    /// Handles every complete message in the decoder. False when the bytes
    /// were not frames (the plugin has been stopped).
    private func handleDecoded() -> Bool {
        while true {
            let next: Result<WireMessage?, WireError> = reader.withLock { decoder in
                Result { () throws(WireError) in try decoder.next() }
            }
            switch next {
            case .success(let message?): handle(message)
            case .success(nil): return true
            case .failure(let error):
                violation("\(error)")
                return false
            }
        }
    }

    /// Takes stdout for the I/O thread, waiting out a caller's short lead.
    private func takeStdoutForIO() {
        while !state.withLock({ s in
            if s.stdoutOwner == .leader { return false }
            s.stdoutOwner = .io
            return true
        }) {
            usleep(20)
        }
    }

    // MARK: - Slots

    /// Waits for a free request slot; returns an error when the session ends
    /// first or the task is cancelled.
    private func acquireSlot() async -> PluginError? {
        let token: UInt64? = state.withLock { s in
            if s.failure != nil || s.shutdownRequested { return nil }
            if s.inFlight < s.maxInFlight && s.slotWaiters.isEmpty {
                s.inFlight += 1
                return UInt64.max
            }
            s.nextToken += 1
            return s.nextToken
        }
        guard let token else { return closedError() }
        if token == .max { return nil }
        let granted = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let immediate: Bool? = state.withLock { s in
                    if s.failure != nil || s.shutdownRequested { return false }
                    if s.inFlight < s.maxInFlight && s.slotWaiters.isEmpty {
                        s.inFlight += 1
                        return true
                    }
                    s.slotWaiters.append(SlotWaiter(token: token, continuation: continuation))
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter: SlotWaiter? = state.withLock { s in
                guard let index = s.slotWaiters.firstIndex(where: { $0.token == token }) else { return nil }
                return s.slotWaiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: false)
        }
        if granted { return nil }
        return Task.isCancelled ? PluginError(.cancelled, plugin: name, "request was cancelled while queued") : closedError()
    }

    /// Frees a slot and hands it to the first waiter, if any. Call under the
    /// lock; resume the returned waiter after unlocking.
    private func releaseSlot(_ s: inout State) -> SlotWaiter? {
        s.inFlight -= 1
        guard s.inFlight < s.maxInFlight, !s.slotWaiters.isEmpty else { return nil }
        s.inFlight += 1
        return s.slotWaiters.removeFirst()
    }

    private func closedError() -> PluginError {
        state.withLock { s in s.failure ?? shutDownError(s.name) }
    }

    private func shutDownError(_ name: String) -> PluginError {
        PluginError(.shutDown, plugin: name, "the session was shut down before the request completed")
    }

    /// Gives up on a request (deadline or caller's cancellation): the caller
    /// gets `error` now, the plugin gets CANCEL, and the terminal response it
    /// still owes must arrive within the cancel grace.
    private func abandon(_ id: UInt32, reason: String, error: (String) -> PluginError) {
        let resumed: (Pending, PluginError)? = state.withLock { s in
            guard let call = s.calls.abandon(id, graceDeadline: monotonicNanos() + configuration.cancelGrace.nanoseconds) else { return nil }
            let pending = call.waiter
            var cancel = Secscore_Plugin_V1_Cancel()
            cancel.reason = reason
            if s.stdinOpen {
                try? FrameEncoder.append(cancel, type: .cancel, requestID: id, maxFrameBytes: s.frameLimitOut, to: &s.outbound)
                flush(&s)
            }
            wake()
            return (pending, error(s.name))
        }
        if let (pending, error) = resumed {
            pending.continuation.resume(returning: .failure(error))
        }
    }

    // MARK: - Writing

    /// Writes queued output while the pipe takes it. Returns true when bytes
    /// remain (the I/O thread must poll for POLLOUT). Call under the lock.
    @discardableResult
    private func flush(_ s: inout State) -> Bool {
        guard s.stdinOpen else {
            s.outbound.removeAll()
            s.outboundStart = 0
            return false
        }
        while s.outboundStart < s.outbound.count {
            let start = s.outboundStart
            let n = s.outbound.withUnsafeBytes { raw in
                write(stdinFD, raw.baseAddress! + start, raw.count - start)
            }
            if n > 0 {
                s.outboundStart += n
                continue
            }
            let err = errno
            if n < 0 && err == EINTR { continue }
            if n < 0 && (err == EAGAIN || err == EWOULDBLOCK) { return true }
            // EPIPE or worse: the plugin closed its stdin. What it owes
            // will fail when it exits or at the deadlines.
            closeStdin(&s)
            return false
        }
        if s.outbound.capacity > (8 << 20) {
            s.outbound = []
        } else {
            s.outbound.removeAll(keepingCapacity: true)
        }
        s.outboundStart = 0
        if s.shutdownRequested { closeStdin(&s) }
        return false
    }

    private func closeStdin(_ s: inout State) {
        guard s.stdinOpen else { return }
        s.stdinOpen = false
        close(stdinFD)
        s.outbound.removeAll()
        s.outboundStart = 0
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    // MARK: - Failing

    /// Records the first fatal failure, fails everything waiting, and asks
    /// the I/O thread to kill the process group when `kill` is set. Call
    /// under the lock.
    private func fail(_ s: inout State, _ error: PluginError, kill: Bool) {
        if s.failure == nil { s.failure = error }
        failWaiters(&s, with: s.failure!)
        if kill { s.killRequested = true }
        if case .running = s.stage {
            s.stage = .tearingDown(step: 0, deadline: monotonicNanos() + teardown.steps[0].grace.nanoseconds)
        }
        closeStdin(&s)
    }

    /// Resumes every waiter with `error`. The continuations are resumed
    /// under the lock, which is safe: resuming only schedules the task.
    private func failWaiters(_ s: inout State, with error: PluginError) {
        if let handshake = s.handshake {
            s.handshake = nil
            handshake.resume(returning: .failure(error))
        }
        for call in s.calls.closeAll() {
            call.waiter.continuation.resume(returning: .failure(error))
        }
        for (_, ping) in s.pings {
            ping.continuation.resume(returning: .failure(error))
        }
        s.pings.removeAll()
        for waiter in s.slotWaiters {
            waiter.continuation.resume(returning: false)
        }
        s.slotWaiters.removeAll()
    }

    // MARK: - The I/O thread

    private struct LoopState {
        var stderrLines: LineSplitter
        var stdoutOpen = true
        var stderrOpen: Bool
        var lingerDeadline: UInt64?
        var stderrBuffer = [UInt8](repeating: 0, count: 16 << 10)
    }

    private func runLoop() {
        var loop = LoopState(
            stderrLines: LineSplitter(maxLineBytes: configuration.maxLogLineBytes),
            stderrOpen: stderrFD >= 0)
        let pidfd = process?.pidfd ?? -1
        while true {
            let now = monotonicNanos()
            let (wantWrite, deadline, watchStdout) = state.withLock { s in
                let deadline = nextDeadline(s, loop: loop)
                s.pollDeadline = deadline
                // Stdout is watched only while something is awaited and no
                // caller is reading it; when idle, the next caller may.
                var watch = false
                if s.stdoutOwner != .leader {
                    watch = loop.stdoutOpen && needsStdout(s)
                    s.stdoutOwner = watch ? .io : .none
                }
                return (s.stdinOpen && s.outboundStart < s.outbound.count, deadline, watch)
            }
            var fds: [pollfd] = []
            fds.append(pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0))
            let stdoutIndex = watchStdout ? append(&fds, stdoutFD, POLLIN) : -1
            let stderrIndex = loop.stderrOpen ? append(&fds, stderrFD, POLLIN) : -1
            let processIndex = (pidfd >= 0 && !(process?.isReaped ?? true)) ? append(&fds, pidfd, POLLIN) : -1
            let stdinIndex = wantWrite ? append(&fds, stdinFD, POLLOUT) : -1
            var timeout: Int32 = -1
            if let deadline {
                timeout = deadline <= now ? 0 : Int32(clamping: (deadline - now + 999_999) / 1_000_000)
            }
            if process != nil, pidfd < 0 {
                timeout = timeout < 0 ? 50 : min(timeout, 50)  // no pidfd: poll for the exit
            }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 && errno != EINTR { break }

            if fds[0].revents != 0 {
                var counter: UInt64 = 0
                _ = read(wakeFD, &counter, 8)
            }
            if stdoutIndex >= 0, fds[stdoutIndex].revents != 0 {
                readStdout(&loop)
            }
            if stderrIndex >= 0, fds[stderrIndex].revents != 0 {
                readStderr(&loop)
            }
            if stdinIndex >= 0, fds[stdinIndex].revents != 0 {
                state.withLock { s in
                    if fds[stdinIndex].revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 {
                        closeStdin(&s)
                    } else {
                        flush(&s)
                    }
                }
            }
            if processIndex >= 0 || (process != nil && pidfd < 0) {
                if processIndex < 0 || fds[processIndex].revents != 0 {
                    if let status = process?.reap(block: false) {
                        processExited(status, loop: &loop)
                    }
                }
            }
            runTimers(&loop)
            if isDone(loop) { break }
        }
        finish(&loop)
    }

    private func append(_ fds: inout [pollfd], _ fd: Int32, _ events: Int32) -> Int {
        fds.append(pollfd(fd: fd, events: Int16(events), revents: 0))
        return fds.count - 1
    }

    private func nextDeadline(_ s: State, loop: LoopState) -> UInt64? {
        // Never sleep longer than the default request timeout: a request
        // sent with that timeout then has a deadline after the one poll is
        // already sleeping to, and the caller need not wake the thread
        // (one eventfd write and one context switch saved per request).
        var next: UInt64? = loop.lingerDeadline ?? (monotonicNanos() + configuration.requestTimeout.nanoseconds)
        func consider(_ t: UInt64) { next = min(next ?? t, t) }
        if s.handshake != nil { consider(s.handshakeDeadline) }
        if let d = s.calls.nextDeadline { consider(d) }
        for ping in s.pings.values { consider(ping.deadline) }
        switch s.stage {
        case .tearingDown(_, let d): consider(d)
        case .running, .killed: break
        }
        if s.killRequested || (s.shutdownRequested && s.stdinOpen && s.outbound.isEmpty) { consider(0) }
        return next
    }

    private func isDone(_ loop: LoopState) -> Bool {
        // An in-process peer has no process: it is gone when its stream
        // ends or the host stops waiting for it.
        let exited = process?.isReaped ?? (!loop.stdoutOpen || loop.lingerDeadline != nil)
        guard exited else { return false }
        if !loop.stdoutOpen && !loop.stderrOpen { return true }
        if let linger = loop.lingerDeadline, monotonicNanos() >= linger { return true }
        return false
    }

    /// What one read of stdout came to.
    private enum StdoutRead {
        /// Bytes arrived and were handled; `drained` when the read was short.
        case data(drained: Bool)
        case wouldBlock
        /// End of stream: stdout is closed; the text says if a frame was cut.
        case ended(truncated: String?)
        /// The bytes were not frames: the plugin was stopped, stdout closed.
        case broken
    }

    /// Reads once from stdout into the decoder and handles every message it
    /// completes. Closes stdout at end of stream or on a framing error.
    private func readStdoutOnce(_ loop: inout LoopState) -> StdoutRead {
        while true {
            var asked = 0
            let n = reader.withLock { decoder in
                decoder.readInto { buffer in
                    asked = buffer.count
                    return read(stdoutFD, buffer.baseAddress, buffer.count)
                }
            }
            if n > 0 {
                guard handleDecoded() else {
                    loop.stdoutOpen = false
                    closeOutput(stdout: true)
                    return .broken
                }
                return .data(drained: n < asked)
            }
            if n < 0 {
                let err = errno
                if err == EINTR { continue }
                if err == EAGAIN || err == EWOULDBLOCK { return .wouldBlock }
            }
            // End of stream (or an error that means the same).
            loop.stdoutOpen = false
            closeOutput(stdout: true)
            return .ended(truncated: truncation())
        }
    }

    private func readStdout(_ loop: inout LoopState) {
        // Read what is there now, up to a bound, so stderr and timers get
        // their turn even against a plugin that writes without pause.
        for _ in 0..<16 {
            switch readStdoutOnce(&loop) {
            case .data(let drained):
                // A short read drained the pipe: go back to poll rather than
                // spend a system call on EAGAIN (this is on the reply path).
                if drained { return }
            case .wouldBlock, .broken:
                return
            case .ended(let truncated):
                stdoutClosed(truncated: truncated, loop: &loop)
                return
            }
        }
    }

    /// Reads everything left on stdout of a process that has exited and
    /// handles it. Returns why the stream ended mid-frame, if it did.
    private func drainStdout(_ loop: inout LoopState) -> String? {
        while loop.stdoutOpen {
            switch readStdoutOnce(&loop) {
            case .data: continue
            case .wouldBlock, .broken: return nil  // would block: a grandchild holds it open
            case .ended(let truncated): return truncated
            }
        }
        return nil
    }

    /// Why the stream ended mid-frame, or nil when it ended cleanly.
    private func truncation() -> String? {
        reader.withLock { decoder in
            do {
                try decoder.finish()
                return nil
            } catch {
                return "\(error)"
            }
        }
    }

    private func readStderr(_ loop: inout LoopState) {
        for _ in 0..<16 {
            let n = loop.stderrBuffer.withUnsafeMutableBytes { read(stderrFD, $0.baseAddress, $0.count) }
            if n > 0 {
                var lines: [(String, Int)] = []
                loop.stderrBuffer.withUnsafeBytes { raw in
                    loop.stderrLines.feed(UnsafeRawBufferPointer(rebasing: raw[..<n])) { line, cut in
                        lines.append((SafeText.sanitize(line), cut))
                    }
                }
                for (line, cut) in lines { emitStderr(line, cut: cut) }
                if !accountLog(bytes: n) { return }
                continue
            }
            if n < 0 {
                let err = errno
                if err == EINTR { continue }
                if err == EAGAIN || err == EWOULDBLOCK { return }
            }
            var lines: [(String, Int)] = []
            loop.stderrLines.finish { line, cut in lines.append((SafeText.sanitize(line), cut)) }
            for (line, cut) in lines { emitStderr(line, cut: cut) }
            loop.stderrOpen = false
            closeOutput(stdout: false)
            return
        }
    }

    private func emitStderr(_ line: String, cut: Int) {
        let text = cut > 0 ? line + " … [line cut: \(cut) more bytes]" : line
        let name = state.withLock { s in
            s.recentStderr.append(SafeText.sanitize(text, limit: 300))
            if s.recentStderr.count > 5 { s.recentStderr.removeFirst() }
            s.statistics.logRecords += 1
            return s.name
        }
        if configuration.logLevel <= .info {
            configuration.logHandler(PluginLogRecord(plugin: name, source: .stderr, level: .info, message: text))
        }
    }

    /// Counts log bytes against the budget; stops the plugin past it.
    private func accountLog(bytes: Int) -> Bool {
        state.withLock { s in
            s.statistics.logBytes += bytes
            guard s.statistics.logBytes > configuration.logBudgetBytes, s.failure == nil else { return s.failure == nil }
            fail(
                &s,
                PluginError(
                    .resourceExhausted, plugin: s.name,
                    "logged more than \(configuration.logBudgetBytes) bytes in one session; stopped it for flooding the log"),
                kill: true)
            return false
        }
    }

    private func closeOutput(stdout: Bool) {
        state.withLock { s in
            _ = close(stdout ? stdoutFD : stderrFD)
            if stdout { s.stdoutClosed = true }
        }
    }

    // MARK: Messages from the plugin

    private func handle(_ message: WireMessage) {
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
            let name = self.name
            if configuration.logLevel <= .debug {
                configuration.logHandler(
                    PluginLogRecord(plugin: name, source: .host, level: .debug, message: "skipped unknown frame type \(message.type)"))
            }
        }
    }

    private func handleWelcome(_ message: WireMessage) {
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

    private func handleGoAway(_ message: WireMessage) {
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

    private func handleResponse(_ message: WireMessage) {
        let id = message.requestID
        let response: Secscore_Plugin_V1_EvaluateResponse
        do {
            response = try Secscore_Plugin_V1_EvaluateResponse(serializedBytes: message.payload)
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

    private func handleLog(_ message: WireMessage) {
        guard accountLog(bytes: message.payload.count) else { return }
        guard let log = try? Secscore_Plugin_V1_Log(serializedBytes: message.payload) else {
            violation("sent a LOG frame whose payload is not a valid Log message")
            return
        }
        let level = PluginLogRecord.Level(log.level)
        let name = state.withLock { s in
            s.statistics.logRecords += 1
            return s.name
        }
        guard level >= configuration.logLevel else { return }
        let limit = configuration.maxLogLineBytes
        configuration.logHandler(
            PluginLogRecord(
                plugin: name, source: .logFrame, level: level,
                message: SafeText.sanitize(log.message, limit: limit),
                fields: log.fields.prefix(32).map { (SafeText.sanitize($0.name, limit: 64), SafeText.sanitize($0.value, limit: 512)) },
                requestID: message.requestID == 0 ? nil : message.requestID))
    }

    private func handleProgress(_ message: WireMessage) {
        guard let progress = try? Secscore_Plugin_V1_Progress(serializedBytes: message.payload) else {
            violation("sent a PROGRESS frame whose payload is not a valid Progress message")
            return
        }
        let handler = state.withLock { $0.calls.waiter(for: message.requestID)?.onProgress }
        handler?(progress)
    }

    private func handlePong(_ message: WireMessage) {
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
    private func violation(_ why: String) {
        let error = state.withLock { s in PluginError(.protocolViolation, plugin: s.name, "broke the protocol: \(why); stopped it") }
        failAndKill(error)
    }

    private func failAndKill(_ error: PluginError) {
        state.withLock { s in
            var goAway = Secscore_Plugin_V1_GoAway()
            goAway.code = .internal
            goAway.reason = error.reason
            if s.stdinOpen {
                try? FrameEncoder.append(goAway, type: .goAway, requestID: 0, maxFrameBytes: s.frameLimitOut, to: &s.outbound)
                flush(&s)
            }
            fail(&s, error, kill: true)
        }
        killIfRequested()
    }

    private func killIfRequested() {
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

    /// The plugin's stdout ended. Unless the host is shutting down, that is
    /// the plugin dying: wait briefly for its exit status to give the reason.
    private func stdoutClosed(truncated: String?, loop: inout LoopState) {
        let expected = state.withLock { $0.shutdownRequested || $0.failure != nil }
        if expected { return }
        if let process, let status = waitBriefly(process) {
            processExited(status, loop: &loop, truncated: truncated)
            return
        }
        if process == nil {
            state.withLock { s in
                fail(&s, PluginError(.exited, plugin: s.name, "closed the connection" + (truncated.map { " (\($0))" } ?? "")), kill: false)
            }
            return
        }
        let error = state.withLock { s in
            PluginError(.protocolViolation, plugin: s.name, "closed its stdout but kept running; stopped it")
        }
        failAndKill(error)
    }

    private func waitBriefly(_ process: PluginProcess) -> ExitStatus? {
        if process.pidfd >= 0 {
            var fd = pollfd(fd: process.pidfd, events: Int16(POLLIN), revents: 0)
            _ = poll(&fd, 1, 200)
            return process.reap(block: false)
        }
        for _ in 0..<20 {
            if let status = process.reap(block: false) { return status }
            usleep(10_000)
        }
        return nil
    }

    private func processExited(_ status: ExitStatus, loop: inout LoopState, truncated: String? = nil) {
        // Answers it wrote just before exiting still count, and its last
        // words on stderr explain the exit: read both before judging.
        var truncated = truncated
        if loop.stdoutOpen {
            takeStdoutForIO()
            truncated = drainStdout(&loop) ?? truncated
        }
        if loop.stderrOpen { readStderr(&loop) }
        state.withLock { s in
            s.exitStatus = s.exitStatus ?? status
            if case .killed = s.stage {} else if !s.shutdownRequested || s.calls.openCount > 0 || s.handshake != nil {
                if s.failure == nil {
                    var text = s.handshake != nil ? "exited before completing the handshake: \(status)" : "\(status) unexpectedly"
                    let owed = s.calls.owedCount
                    if owed > 0 { text += " with \(owed) request\(owed == 1 ? "" : "s") unanswered" }
                    if let truncated, !truncated.isEmpty { text += "; \(truncated)" }
                    if !s.recentStderr.isEmpty { text += "; last stderr: " + s.recentStderr.suffix(3).joined(separator: " | ") }
                    let code: PluginError.Code = s.handshake != nil ? .handshakeFailed : .exited
                    fail(&s, PluginError(code, plugin: s.name, text, diedWhileStarting: s.handshake != nil), kill: false)
                }
            }
            closeStdin(&s)
        }
        // Pipes held open by a grandchild that escaped the group must not
        // keep the session alive.
        loop.lingerDeadline = monotonicNanos() + 200_000_000
    }

    private func runTimers(_ loop: inout LoopState) {
        let now = monotonicNanos()
        var expired: [UInt32] = []
        var timeouts: [UInt32: Duration] = [:]
        var signal: Int32?
        state.withLock { s in
            if s.handshake != nil, now >= s.handshakeDeadline {
                fail(
                    &s,
                    PluginError(
                        .handshakeFailed, plugin: s.name,
                        "sent no WELCOME within \(configuration.handshakeTimeout); stopped it"
                            + (s.recentStderr.isEmpty ? "" : "; last stderr: " + s.recentStderr.suffix(3).joined(separator: " | "))),
                    kill: true)
            }
            for (id, timeout) in s.calls.expired(at: now) {
                expired.append(id)
                timeouts[id] = timeout
            }
            if let id = s.calls.overdue(at: now) {
                fail(
                    &s,
                    PluginError(
                        .protocolViolation, plugin: s.name,
                        "did not answer request \(id) within \(configuration.cancelGrace) of its CANCEL; stopped it as hung"),
                    kill: true)
            }
            for (id, ping) in s.pings where now >= ping.deadline {
                s.pings.removeValue(forKey: id)
                ping.continuation.resume(returning: .failure(PluginError(.deadlineExceeded, plugin: s.name, "did not answer PING in time")))
            }
            if s.shutdownRequested, s.stdinOpen, s.outbound.isEmpty { closeStdin(&s) }
            if case .tearingDown(let index, let deadline) = s.stage, now >= deadline {
                closeStdin(&s)
                if let (next, step) = teardown.step(after: index), case .signal(let sig) = step.action {
                    signal = sig
                    s.stage = sig == SIGKILL ? .killed : .tearingDown(step: next, deadline: now + step.grace.nanoseconds)
                } else {
                    signal = SIGKILL
                    s.stage = .killed
                }
            }
        }
        for id in expired {
            let timeout = timeouts[id]!
            abandon(id, reason: "deadline exceeded", error: { name in
                PluginError(.deadlineExceeded, plugin: name, "did not answer request \(id) within its deadline of \(timeout)")
            })
        }
        if let signal {
            if process != nil {
                process?.killGroup(signal)
            } else if signal == SIGKILL {
                // An in-process peer: there is nothing to kill; stop reading.
                loop.lingerDeadline = now
            }
        }
        killIfRequested()
        if process == nil, case .killed = state.withLock({ $0.stage }) {
            loop.lingerDeadline = loop.lingerDeadline ?? now
        }
    }

    private func finish(_ loop: inout LoopState) {
        takeStdoutForIO()
        if let process, !process.isReaped {
            process.killGroup(SIGKILL)
            if let status = process.reap(block: true) {
                state.withLock { $0.exitStatus = $0.exitStatus ?? status }
            }
        }
        // Descendants that escaped the group end with the session; then
        // whatever they held open reaches its end, and what they wrote on
        // the plugin's stdout is judged like the plugin's own bytes.
        if process != nil, DescendantReaper.reapOrphans() > 0, loop.stdoutOpen {
            _ = drainStdout(&loop)
        }
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { s in
            if s.failure == nil && !s.shutdownRequested {
                s.failure = PluginError(.exited, plugin: s.name, "the session ended unexpectedly")
            }
            failWaiters(&s, with: s.failure ?? shutDownError(s.name))
            s.calls.forgetAbandoned()
            closeStdin(&s)
            if loop.stdoutOpen { close(stdoutFD) }
            s.stdoutClosed = true
            if loop.stderrOpen { close(stderrFD) }
            if let process, process.pidfd >= 0 { close(process.pidfd) }
            close(wakeFD)
            s.finished = true
            let waiters = s.finishWaiters
            s.finishWaiters.removeAll()
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
