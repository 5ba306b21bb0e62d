import Glibc
import SecScoreSynth
import Synchronization

/// The ways the soak disturbs a plugin process from outside.
enum FaultKind: String, CaseIterable, Sendable {
    /// SIGKILL: the process is gone at once, mid-request or idle.
    case kill
    /// SIGSTOP, never continued: the plugin stops answering; only the host's
    /// deadlines can end it.
    case stall
    /// Random bytes written into the pipe the plugin sends frames on, as a
    /// stray print or a memory corruption would.
    case corrupt
}

struct Fault: Sendable {
    var at: Double
    var kind: FaultKind
    var pid: Int32
    var plugin: String
}

/// Picks a random plugin process of the host at random times and disturbs
/// it, until it has injected `count` faults or the host has exited.
final class FaultInjector: Sendable {
    private let host: Int32
    private let count: Int
    private let meanInterval: Double
    private let state: Mutex<(random: SplitMix, faults: [Fault], done: Bool)>

    init(host: Int32, count: Int, meanInterval: Double, seed: UInt64) {
        self.host = host
        self.count = count
        self.meanInterval = meanInterval
        self.state = Mutex((SplitMix(seed), [], false))
    }

    var faults: [Fault] { state.withLock { $0.faults } }

    func stop() { state.withLock { $0.done = true } }

    /// Runs on its own thread until done.
    func run(start: Double) {
        while true {
            let (wait, done, injected) = state.withLock { s in
                // Exponential gaps: faults bunch up sometimes, as real ones do.
                let u = Double(s.random.next() >> 11) / Double(1 << 53)
                return (-log(1 - u) * meanInterval, s.done, s.faults.count)
            }
            if done || injected >= count { return }
            usleep(useconds_t(min(wait, 5) * 1_000_000))
            if state.withLock({ $0.done }) { return }
            let plugins = Proc.children(of: host)
            guard !plugins.isEmpty else { continue }
            let (pid, kind) = state.withLock { s in
                (plugins[Int(s.random.next() % UInt64(plugins.count))],
                 FaultKind.allCases[Int(s.random.next() % UInt64(FaultKind.allCases.count))])
            }
            let name = Proc.name(pid)
            guard inject(kind, into: pid) else { continue }
            state.withLock { $0.faults.append(Fault(at: monotonicSeconds() - start, kind: kind, pid: pid, plugin: name)) }
        }
    }

    private func inject(_ kind: FaultKind, into pid: Int32) -> Bool {
        switch kind {
        case .kill:
            return Glibc.kill(pid, SIGKILL) == 0
        case .stall:
            return Glibc.kill(pid, SIGSTOP) == 0
        case .corrupt:
            guard let fd = Proc.protocolOutput(plugin: pid, host: host) else { return false }
            let pipe = open("/proc/\(pid)/fd/\(fd)", O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            guard pipe >= 0 else { return false }
            defer { close(pipe) }
            var junk = [UInt8](repeating: 0, count: 24)
            state.withLock { s in for i in junk.indices { junk[i] = UInt8(truncatingIfNeeded: s.random.next()) } }
            return write(pipe, junk, junk.count) == junk.count
        }
    }
}

/// Samples the host's memory and descriptors while it runs.
final class Sampler: Sendable {
    struct Sample: Sendable {
        var at: Double
        var rssKiB: Int
        var descriptors: Int
    }

    private let host: Int32
    private let state = Mutex<(samples: [Sample], done: Bool)>(([], false))

    init(host: Int32) { self.host = host }

    var samples: [Sample] { state.withLock { $0.samples } }
    func stop() { state.withLock { $0.done = true } }

    func run(start: Double) {
        while !state.withLock({ $0.done }) {
            if let rss = Proc.rssKiB(host), let fds = Proc.descriptorCount(host) {
                let sample = Sample(at: monotonicSeconds() - start, rssKiB: rss, descriptors: fds)
                state.withLock { $0.samples.append(sample) }
            }
            usleep(20_000)
        }
    }
}
