import CSecScoreHostShims
import DequeModule
import Glibc
import Logging
import SecScorePOSIX
import SecScoreWire
import SwiftProtobuf
import Synchronization
import SystemPackage

/// The shared state of one session and the I/O thread that serves it.
///
/// One thread per plugin polls stdout, stderr, the process's pidfd, a wake
/// eventfd and (when output is queued) stdin, so no pipe can fill up and
/// block the other, and every deadline is a poll timeout. Callers write
/// frames directly while the pipe has room and leave the rest to the thread.
/// Only the I/O thread closes descriptors, and only under the lock, so a
/// writer never sees a descriptor number that was reused.
///
/// The descriptors are swift-system `FileDescriptor`s, but the poll loop,
/// the reads and the writes call poll(2), read(2) and write(2) on their raw
/// values: on these non-blocking pipes EAGAIN is the normal end of every
/// drain, and swift-system's wrappers would throw it, boxing an error on
/// each turn of the hottest loop in the host.
///
/// Reading stdout has one owner at a time (`StdoutOwner`). When a caller
/// sends a request while nobody is reading, the caller itself waits on
/// stdout for a short window and handles what arrives (leader/follower):
/// a quick answer then reaches its caller without two thread hand-offs.
/// Otherwise, and after the window, the I/O thread reads.
///
/// The parts, one job each: `CallTable` (requests and what each answer
/// means, a pure state machine), `Teardown` (how a session ends, as data),
/// the framing channel (+Framing, and FrameEncoder/FrameDecoder), the
/// stderr pump (+StderrPump), stdout ownership (+Stdout), request slots
/// (+Slots), what each frame means (+Messages) and the poll loop that ties
/// them together (+PollLoop).
final class ConnectionCore: Sendable {
    let configuration: PluginHostConfiguration
    /// How the session ends: GOAWAY, SIGTERM, SIGKILL, with the configured graces.
    let teardown: Teardown
    let process: PluginProcess?
    let stdinFD: FileDescriptor
    let stdoutFD: FileDescriptor
    /// Nil for an in-process peer, which has no stderr.
    let stderrFD: FileDescriptor?
    /// An eventfd that wakes the I/O thread's poll.
    let wakeFD: FileDescriptor
    let state: Mutex<State>
    /// The frame decoder of stdout, used by whoever owns stdout.
    let reader: Mutex<FrameDecoder>

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
        let state = Mutex<(id: UInt32?, cancelled: Bool)>((nil, false))

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
        /// Callers waiting for a request slot, first come first served.
        var slotWaiters: Deque<SlotWaiter> = []
        var nextToken: UInt64 = 0
        var outbound = OutboundQueue()
        var stdinOpen = true
        var failure: PluginError?
        var exitStatus: ExitStatus?
        var stage: Stage = .running
        var shutdownRequested = false
        var killRequested = false
        var finished = false
        var finishWaiters: [CheckedContinuation<Void, Never>] = []
        /// The plugin's last few stderr lines, for the reason of a failure.
        var recentStderr: Deque<String> = []
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
        stdin: FileDescriptor, stdout: FileDescriptor, stderr: FileDescriptor?, process: PluginProcess?
    ) {
        self.configuration = configuration
        self.teardown = .polite(shutdownGrace: configuration.shutdownGrace, terminateGrace: configuration.terminateGrace)
        self.process = process
        self.stdinFD = stdin
        self.stdoutFD = stdout
        self.stderrFD = stderr
        self.wakeFD = FileDescriptor(rawValue: ss_eventfd())
        self.reader = Mutex(FrameDecoder(maxFrameBytes: configuration.maxFrameBytes, maxMessageBytes: configuration.maxMessageBytes))
        try? stdin.setNonBlocking()
        try? stdout.setNonBlocking()
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
        hello.logLevel = configuration.logger.logLevel.pluginWire
        state.withLock { s in
            s.handshake = handshake
            s.handshakeDeadline = monotonicNanos() + configuration.handshakeTimeout.nanoseconds
            // HELLO always fits one frame of the smallest legal limit.
            try? s.outbound.append(hello, type: .hello, requestID: 0, maxFrameBytes: ProtocolLimits.minimumMaxFrameBytes)
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
        var payload = RequestEncoder.encode(request)
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
                    s.outbound.append(type: .request, requestID: id, payload: payload, maxFrameBytes: s.frameLimitOut)
                    // The queue holds it now, until it is written: held here
                    // too it would live until the answer (the 1,000,000-user
                    // tenant's requests are 80 MB together).
                    payload = []
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
                try? s.outbound.append(ping, type: .ping, requestID: id, maxFrameBytes: s.frameLimitOut)
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
                try? s.outbound.append(goAway, type: .goAway, requestID: 0, maxFrameBytes: s.frameLimitOut)
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
    var name: String { state.withLock { $0.name } }

    // MARK: - Writing

    /// Writes queued output while the pipe takes it. Returns true when bytes
    /// remain (the I/O thread must poll for POLLOUT). Call under the lock.
    @discardableResult
    func flush(_ s: inout State) -> Bool {
        guard s.stdinOpen else {
            s.outbound.removeAll()
            return false
        }
        switch s.outbound.write(to: stdinFD.rawValue) {
        case .drained:
            if s.shutdownRequested { closeStdin(&s) }
            return false
        case .wouldBlock:
            return true
        case .failed:
            // EPIPE or worse: the plugin closed its stdin. What it owes
            // will fail when it exits or at the deadlines.
            closeStdin(&s)
            return false
        }
    }

    func closeStdin(_ s: inout State) {
        guard s.stdinOpen else { return }
        s.stdinOpen = false
        stdinFD.closeQuietly()
        s.outbound.removeAll()
    }

    func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD.rawValue, &one, 8)
    }

    // MARK: - Failing

    /// Records the first fatal failure, fails everything waiting, and asks
    /// the I/O thread to kill the process group when `kill` is set. Call
    /// under the lock.
    func fail(_ s: inout State, _ error: PluginError, kill: Bool) {
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
    func failWaiters(_ s: inout State, with error: PluginError) {
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
}
