import CSecScoreHostShims
import DequeModule
import Glibc
import SecScorePOSIX
import SecScoreWire
import SwiftProtobuf
import Synchronization

/// Request slots (the plugin's declared concurrency) and giving up on a
/// request (deadline or cancellation).
extension ConnectionCore {
    // MARK: - Slots

    /// Waits for a free request slot; returns an error when the session ends
    /// first or the task is cancelled.
    func acquireSlot() async -> PluginError? {
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
    func releaseSlot(_ s: inout State) -> SlotWaiter? {
        s.inFlight -= 1
        guard s.inFlight < s.maxInFlight, !s.slotWaiters.isEmpty else { return nil }
        s.inFlight += 1
        return s.slotWaiters.removeFirst()
    }

    func closedError() -> PluginError {
        state.withLock { s in s.failure ?? shutDownError(s.name) }
    }

    func shutDownError(_ name: String) -> PluginError {
        PluginError(.shutDown, plugin: name, "the session was shut down before the request completed")
    }

    /// Gives up on a request (deadline or caller's cancellation): the caller
    /// gets `error` now, the plugin gets CANCEL, and the terminal response it
    /// still owes must arrive within the cancel grace.
    func abandon(_ id: UInt32, reason: String, error: (String) -> PluginError) {
        let resumed: (Pending, PluginError)? = state.withLock { s in
            guard let call = s.calls.abandon(id, graceDeadline: monotonicNanos() + configuration.cancelGrace.nanoseconds) else { return nil }
            let pending = call.waiter
            var cancel = Secscore_Plugin_V1_Cancel()
            cancel.reason = reason
            if s.stdinOpen {
                try? s.outbound.append(cancel, type: .cancel, requestID: id, maxFrameBytes: s.frameLimitOut)
                flush(&s)
            }
            wake()
            return (pending, error(s.name))
        }
        if let (pending, error) = resumed {
            pending.continuation.resume(returning: .failure(error))
        }
    }
}
