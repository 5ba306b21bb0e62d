import Glibc

/// How a session ends, as data (as swift-subprocess's `TeardownStep`): each
/// step is something done to the plugin and how long to wait for it to exit
/// before the next. The sequence always ends in SIGKILL to the process
/// group, so a session ends within the sum of the graces whatever the
/// plugin does.
struct Teardown: Sendable {
    enum Action: Equatable, Sendable {
        /// GOAWAY is queued and stdin closes once it is flushed: the plugin
        /// finishes what is in flight and exits (docs/PROTOCOL.md §4.5).
        case goAway
        /// A signal to the plugin's process group.
        case signal(Int32)
    }

    struct Step: Sendable {
        var action: Action
        /// How long to wait for the exit before the next step.
        var grace: Duration
    }

    let steps: [Step]

    /// GOAWAY, then SIGTERM, then SIGKILL.
    static func polite(shutdownGrace: Duration, terminateGrace: Duration) -> Teardown {
        Teardown(steps: [
            Step(action: .goAway, grace: shutdownGrace),
            Step(action: .signal(SIGTERM), grace: terminateGrace),
            Step(action: .signal(SIGKILL), grace: .zero),
        ])
    }

    /// The step after `index`, or nil after the last one.
    func step(after index: Int) -> (index: Int, step: Step)? {
        index + 1 < steps.count ? (index + 1, steps[index + 1]) : nil
    }
}
