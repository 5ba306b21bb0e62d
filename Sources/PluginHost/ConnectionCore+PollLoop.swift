import CSecScoreHostShims
import DequeModule
import Glibc
import SecScorePOSIX
import SecScoreWire
import SwiftProtobuf
import Synchronization
import SystemPackage

/// The poll loop that ties a session together: one thread per plugin polls
/// stdout, stderr, the process's pidfd, a wake eventfd and (when output is
/// queued) stdin, runs the deadlines and the teardown, and ends the session
/// when the process is gone and its output read.
extension ConnectionCore {
    // MARK: - The I/O thread

    struct LoopState {
        var stderrLines: LineSplitter
        var stdoutOpen = true
        var stderrOpen: Bool
        var lingerDeadline: UInt64?
        var stderrBuffer = [UInt8](repeating: 0, count: 16 << 10)
    }

    func runLoop() {
        var loop = LoopState(
            stderrLines: LineSplitter(maxLineBytes: configuration.maxLogLineBytes),
            stderrOpen: stderrFD != nil)
        let pidfd = process?.pidfd?.rawValue ?? -1
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
                return (s.stdinOpen && !s.outbound.isEmpty, deadline, watch)
            }
            var fds: [pollfd] = []
            fds.append(pollfd(fd: wakeFD.rawValue, events: Int16(POLLIN), revents: 0))
            let stdoutIndex = watchStdout ? append(&fds, stdoutFD.rawValue, POLLIN) : -1
            let stderrIndex = loop.stderrOpen ? append(&fds, stderrFD?.rawValue ?? -1, POLLIN) : -1
            let processIndex = (pidfd >= 0 && !(process?.isReaped ?? true)) ? append(&fds, pidfd, POLLIN) : -1
            let stdinIndex = wantWrite ? append(&fds, stdinFD.rawValue, POLLOUT) : -1
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
                _ = read(wakeFD.rawValue, &counter, 8)
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

    func append(_ fds: inout [pollfd], _ fd: Int32, _ events: Int32) -> Int {
        fds.append(pollfd(fd: fd, events: Int16(events), revents: 0))
        return fds.count - 1
    }

    func nextDeadline(_ s: State, loop: LoopState) -> UInt64? {
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

    func isDone(_ loop: LoopState) -> Bool {
        // An in-process peer has no process: it is gone when its stream
        // ends or the host stops waiting for it.
        let exited = process?.isReaped ?? (!loop.stdoutOpen || loop.lingerDeadline != nil)
        guard exited else { return false }
        if !loop.stdoutOpen && !loop.stderrOpen { return true }
        if let linger = loop.lingerDeadline, monotonicNanos() >= linger { return true }
        return false
    }

    /// The plugin's stdout ended. Unless the host is shutting down, that is
    /// the plugin dying: wait briefly for its exit status to give the reason.
    func stdoutClosed(truncated: String?, loop: inout LoopState) {
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

    func waitBriefly(_ process: PluginProcess) -> ExitStatus? {
        if let pidfd = process.pidfd {
            var fd = pollfd(fd: pidfd.rawValue, events: Int16(POLLIN), revents: 0)
            _ = poll(&fd, 1, 200)
            return process.reap(block: false)
        }
        for _ in 0..<20 {
            if let status = process.reap(block: false) { return status }
            usleep(10_000)
        }
        return nil
    }

    func processExited(_ status: ExitStatus, loop: inout LoopState, truncated: String? = nil) {
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

    func runTimers(_ loop: inout LoopState) {
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

    func finish(_ loop: inout LoopState) {
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
            if loop.stdoutOpen { stdoutFD.closeQuietly() }
            s.stdoutClosed = true
            if loop.stderrOpen { stderrFD?.closeQuietly() }
            process?.pidfd?.closeQuietly()
            wakeFD.closeQuietly()
            s.finished = true
            let waiters = s.finishWaiters
            s.finishWaiters.removeAll()
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
