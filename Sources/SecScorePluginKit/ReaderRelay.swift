import Dispatch
import SecScoreWire
import SecScorePOSIX
import Synchronization

/// Two threads share the reading of the protocol's input so that a request
/// can run on the thread that read it, with no hop to the concurrency pool,
/// while CANCEL, PING and deadlines are still honoured during a check that
/// never yields (leader/follower).
///
/// Exactly one thread holds the reader role at a time. Before it runs a
/// check inline it marks the run (`beginInline`); the other thread, standing
/// by, looks at the mark every `takeoverNanos` and takes the reader role
/// once a single run has lasted that long. The thread whose run was
/// overtaken learns it from `endInline` when the check returns, and stands
/// by in turn. A check that suspends returns control at its first
/// suspension, so only synchronous stretches ever run on a reader.
///
/// The standby ticks only while checks are running inline and for
/// `idleNanos` after the last one; then it sleeps until the next inline run
/// wakes it, so an idle plugin costs no wake-ups. Measured on the 2-core
/// machine: a Task hop to the pool cost most of a 52-87 µs round trip;
/// the standby's 1 kHz tick while busy costs about 0.3% of one core.
final class ReaderRelay: Sendable {
    /// How long one inline run may hold the reader role before the standby
    /// takes over: the worst added delay for a CANCEL, PING or deadline.
    static let takeoverNanos: UInt64 = 1_000_000
    /// How long the standby keeps ticking after the last inline run.
    static let idleNanos: UInt64 = 100_000_000

    private struct State {
        /// Bumped each time the reader role moves to the standby.
        var readerEpoch: UInt64 = 0
        /// The inline run in progress: the epoch of the reader running it
        /// and when it began (monotonic ns).
        var inline: (epoch: UInt64, since: UInt64)?
        var lastInlineEnd: UInt64 = 0
        var standbyPresent = false
        /// The standby waits without a timer and must be signalled.
        var standbyAsleep = false
        var ended = false
    }

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    /// The reader is about to run a check inline. Returns the ticket to hand
    /// to `endInline`, or nil when no thread stands by (run the check on the
    /// pool instead, so a long one cannot starve the input).
    func beginInline() -> UInt64? {
        let (ticket, signal): (UInt64?, Bool) = state.withLock { s in
            guard s.standbyPresent, !s.ended, s.inline == nil else { return (nil, false) }
            s.inline = (s.readerEpoch, monotonicNanos())
            let signal = s.standbyAsleep
            s.standbyAsleep = false
            return (s.readerEpoch, signal)
        }
        if signal { wake.signal() }
        return ticket
    }

    /// The inline run returned (finished or suspended). True when this
    /// thread still holds the reader role; false when the standby took it,
    /// and this thread must stand by.
    func endInline(_ ticket: UInt64) -> Bool {
        state.withLock { s in
            guard s.readerEpoch == ticket else { return false }
            s.inline = nil
            s.lastInlineEnd = monotonicNanos()
            return true
        }
    }

    /// Stands by until the reader's inline run lasts `takeoverNanos`.
    /// Returns true when this thread now holds the reader role, false when
    /// the session ended.
    func standBy() -> Bool {
        enum Step { case takeOver, ended, wait(DispatchTime) }
        while true {
            let step: Step = state.withLock { s in
                s.standbyPresent = true
                s.standbyAsleep = false
                if s.ended {
                    s.standbyPresent = false
                    return .ended
                }
                let now = monotonicNanos()
                if let run = s.inline {
                    if now &- run.since >= Self.takeoverNanos {
                        s.readerEpoch &+= 1
                        s.inline = nil
                        s.standbyPresent = false
                        return .takeOver
                    }
                    return .wait(.now() + .nanoseconds(Int(run.since + Self.takeoverNanos - now)))
                }
                if now &- s.lastInlineEnd < Self.idleNanos {
                    return .wait(.now() + .nanoseconds(Int(Self.takeoverNanos)))
                }
                s.standbyAsleep = true
                return .wait(.distantFuture)
            }
            switch step {
            case .takeOver: return true
            case .ended: return false
            // A stale signal only makes the loop look again.
            case .wait(let deadline): _ = wake.wait(timeout: deadline)
            }
        }
    }

    /// The session is over: a thread standing by returns false.
    func end() {
        state.withLock { $0.ended = true }
        wake.signal()
    }
}

/// The frame decoder, which moves between the two reading threads with the
/// reader role. Unchecked because only the thread holding the role touches
/// it, and the role changes hands under `ReaderRelay`'s lock, which orders
/// the previous reader's last use before the next reader's first.
final class InputBuffer: @unchecked Sendable {
    var decoder = FrameDecoder()
}
