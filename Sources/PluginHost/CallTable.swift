import SecScoreWire

/// The requests of one session and what each RESPONSE frame means for them:
/// a value type whose methods return what to do, so every order of frames
/// can be tested without a process (swift-nio keeps its protocol state the
/// same way). The I/O code holds it under its lock and carries out the
/// returned actions (resume a caller, send CANCEL, stop the plugin).
///
/// A request is *open* from the moment its id is taken until its terminal
/// response arrives or the host gives up on it. Giving up (deadline,
/// cancellation) makes it *abandoned*: CANCEL is sent and the plugin still
/// owes exactly one terminal response, within a grace period. Every other
/// RESPONSE is a protocol violation: for an id never sent, for one already
/// answered, a second one after the owed one (docs/PROTOCOL.md §4.2–4.4).
struct CallTable<Waiter> {
    struct Call {
        var waiter: Waiter
        var requirementID: String
        /// Monotonic nanoseconds.
        var deadline: UInt64
        var timeout: Duration
    }

    /// The next request id; ids only grow, so a reused id is detectable.
    private(set) var nextID: UInt32

    /// A table whose first id is `firstID` (1 in a session; tests start
    /// near the end to reach exhaustion).
    init(firstID: UInt32 = 1) {
        nextID = max(firstID, 1)
    }
    private var open: [UInt32: Call] = [:]
    /// Abandoned requests and when their owed response is due.
    private var abandoned: [UInt32: UInt64] = [:]

    /// Takes the next id (for a request or a PING); nil when exhausted.
    mutating func takeID() -> UInt32? {
        guard nextID < UInt32.max else { return nil }
        defer { nextID += 1 }
        return nextID
    }

    /// Opens a request under an id from `takeID()`.
    mutating func open(_ id: UInt32, _ call: Call) {
        open[id] = call
    }

    /// What a RESPONSE frame for `id` means.
    enum ResponseAction {
        /// The terminal response of an open request: it is closed now;
        /// hand the answer to its waiter.
        case deliver(Call)
        /// The response owed for an abandoned request: nobody waits for it
        /// any more, and its slot is free again.
        case absorb
        /// Not a response the plugin may send; stop it.
        case violation(String)
    }

    /// Handles a RESPONSE for `id` answering `requirementID` (nil for a
    /// call error or an empty response, which name no requirement).
    mutating func receiveResponse(id: UInt32, requirementID: String?) -> ResponseAction {
        if abandoned.removeValue(forKey: id) != nil { return .absorb }
        guard let call = open[id] else {
            return .violation(
                id == 0 || id >= nextID
                    ? "answered request \(id), which it was never sent"
                    : "answered request \(id) again, after it was already answered")
        }
        if let requirementID, requirementID != call.requirementID {
            return .violation(
                "answered request \(id) for requirement \(call.requirementID) with a finding for \"\(SafeText.sanitize(requirementID, limit: 128))\"")
        }
        open.removeValue(forKey: id)
        return .deliver(call)
    }

    /// Gives up on an open request: returns it, and the plugin owes its
    /// terminal response by `graceDeadline`. Nil when it is not open.
    mutating func abandon(_ id: UInt32, graceDeadline: UInt64) -> Call? {
        guard let call = open.removeValue(forKey: id) else { return nil }
        abandoned[id] = graceDeadline
        return call
    }

    /// The waiter of an open request (for PROGRESS), if any.
    func waiter(for id: UInt32) -> Waiter? { open[id]?.waiter }

    func isOpen(_ id: UInt32) -> Bool { open[id] != nil }

    // The three below run on every turn of the I/O thread: they allocate
    // nothing unless something is due.

    /// Open requests past their deadline, to be abandoned.
    func expired(at now: UInt64) -> [(id: UInt32, timeout: Duration)] {
        var due: [(id: UInt32, timeout: Duration)] = []
        for (id, call) in open where now >= call.deadline { due.append((id, call.timeout)) }
        if due.count > 1 { due.sort { $0.id < $1.id } }
        return due
    }

    /// An abandoned request whose owed response is overdue: the plugin is
    /// hung.
    func overdue(at now: UInt64) -> UInt32? {
        var first: UInt32?
        for (id, grace) in abandoned where now >= grace { first = min(first ?? id, id) }
        return first
    }

    /// The earliest deadline or grace the I/O thread must wake for.
    var nextDeadline: UInt64? {
        var next: UInt64?
        for call in open.values { next = min(next ?? call.deadline, call.deadline) }
        for grace in abandoned.values { next = min(next ?? grace, grace) }
        return next
    }

    var openCount: Int { open.count }
    /// Requests whose terminal response is still owed (open or abandoned).
    var owedCount: Int { open.count + abandoned.count }
    var isEmpty: Bool { open.isEmpty && abandoned.isEmpty }

    /// Closes every open request (the session failed or ended) and forgets
    /// the abandoned ones; returns the calls whose waiters must be told.
    mutating func closeAll() -> [Call] {
        let calls = open.sorted { $0.key < $1.key }.map(\.value)
        open.removeAll()
        abandoned.removeAll()
        return calls
    }

    /// Forgets abandoned requests only (the session is over).
    mutating func forgetAbandoned() { abandoned.removeAll() }
}
