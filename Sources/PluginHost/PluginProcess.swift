import CSecScoreHostShims
import Glibc
import Synchronization
import SystemPackage

/// A spawned plugin process and the host's ends of its three pipes.
///
/// Owns the descriptors and the process group: `killGroup` signals every
/// process the plugin started (unless one escaped with setsid), and `reap`
/// collects the exit status exactly once.
///
/// Spawning is our own (`ss_spawn`, vfork and exec in C) rather than
/// swift-subprocess, whose Linux path can neither set resource limits in the
/// child nor exec the very descriptor whose digest was checked (execveat),
/// so a binary swapped after pinning could run. The tests and the soak,
/// which need neither, start their processes with swift-subprocess.
final class PluginProcess: @unchecked Sendable {
    let pid: pid_t
    /// Readable when the process has exited; nil when the kernel has no pidfd.
    let pidfd: FileDescriptor?
    private(set) var stdin: FileDescriptor?
    private(set) var stdout: FileDescriptor?
    private(set) var stderr: FileDescriptor?
    private var reaped = false
    private var groupReleased = false

    private init(pid: pid_t, pidfd: FileDescriptor?, stdin: FileDescriptor, stdout: FileDescriptor, stderr: FileDescriptor) {
        self.pid = pid
        self.pidfd = pidfd
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
    }

    /// The buffer size asked for the stdin and stdout pipes (the kernel's
    /// default ceiling for unprivileged processes).
    static let protocolPipeBytes: Int32 = 1 << 20

    /// Spawns `executable` with a scrubbed environment and resource limits.
    ///
    /// Installs nothing process-wide but SIGPIPE's `SIG_IGN`, and only while
    /// SIGPIPE still has its default disposition: the host writes to pipes
    /// whose reader (a plugin) can die at any moment, and under the default
    /// that write would kill the whole host instead of failing with EPIPE.
    /// Handlers for SIGINT and friends are the host program's choice
    /// (`TerminationHandlers.install()`).
    static func spawn(
        _ executable: PluginExecutable,
        environment: [String: String],
        limits: ResourceLimits
    ) throws(PluginError) -> PluginProcess {
        ss_ignore_sigpipe_if_default()
        let opened = try OpenedExecutable(executable)

        // Close-on-exec from the start: a process spawned by another thread
        // meanwhile must not inherit them.
        var pipes: [(readEnd: FileDescriptor, writeEnd: FileDescriptor)] = []
        for _ in 0..<3 {
            do {
                pipes.append(try FileDescriptor.pipe(options: .closeOnExec))
            } catch {
                for pipe in pipes { pipe.readEnd.closeQuietly(); pipe.writeEnd.closeQuietly() }
                throw PluginError.spawn(executable.path, step: "pipe2", errno: error)
            }
        }
        let (input, output, errors) = (pipes[0], pipes[1], pipes[2])
        // Protocol pipes of 1 MiB instead of 64 KiB: a large request or
        // answer crosses in a few writes instead of sixteen hand-offs
        // between the processes. Best effort: the kernel may refuse.
        for fd in [input.readEnd, output.readEnd] { _ = ss_set_pipe_size(fd.rawValue, Self.protocolPipeBytes) }
        // Child reads input.readEnd, writes output.writeEnd and errors.writeEnd.
        var rlimits: [ss_rlimit] = []
        func add(_ resource: __rlimit_resource, _ value: UInt64?) {
            if let value { rlimits.append(ss_rlimit(resource: Int32(resource.rawValue), soft: value, hard: value)) }
        }
        add(RLIMIT_AS, limits.addressSpaceBytes)
        if let cpu = limits.cpuSeconds {
            // Soft limit sends SIGXCPU; the hard limit a second later SIGKILL.
            rlimits.append(ss_rlimit(resource: Int32(RLIMIT_CPU.rawValue), soft: cpu, hard: cpu + 1))
        }
        add(RLIMIT_NOFILE, limits.openFiles)
        add(RLIMIT_FSIZE, limits.fileSizeBytes)
        add(RLIMIT_CORE, limits.coreDumpBytes)

        let argv = [executable.path] + executable.arguments
        let envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = -1
        var pidfd: Int32 = -1
        var failedStep: UnsafePointer<CChar>?
        // Registered as live before anyone can scan for orphans
        // (DescendantReaper): the spawn itself happens under the lock.
        let err = DescendantReaper.livePlugins.withLock { live in
            let err = withCStrings(argv) { cArgv in
                withCStrings(envp) { cEnvp in
                    rlimits.withUnsafeBufferPointer { rl in
                        ss_spawn(
                            executable.path, opened.descriptor.rawValue, cArgv, cEnvp,
                            input.readEnd.rawValue, output.writeEnd.rawValue, errors.writeEnd.rawValue,
                            rl.baseAddress, Int32(rl.count), &pid, &pidfd, &failedStep)
                    }
                }
            }
            if err == 0 { live.insert(pid) }
            return err
        }
        // The child's ends are the child's now (or nobody's on failure).
        input.readEnd.closeQuietly()
        output.writeEnd.closeQuietly()
        errors.writeEnd.closeQuietly()
        guard err == 0 else {
            input.writeEnd.closeQuietly()
            output.readEnd.closeQuietly()
            errors.readEnd.closeQuietly()
            let step = failedStep.map { String(cString: $0) } ?? "spawn"
            throw PluginError.spawn(executable.path, step: step, errno: Errno(rawValue: err))
        }
        for fd in [input.writeEnd, output.readEnd, errors.readEnd] {
            try? fd.setNonBlocking()
        }
        return PluginProcess(
            pid: pid, pidfd: pidfd >= 0 ? FileDescriptor(rawValue: pidfd) : nil,
            stdin: input.writeEnd, stdout: output.readEnd, stderr: errors.readEnd)
    }

    /// Sends `signal` to the plugin's whole process group, while the group
    /// is still ours (before the leader is reaped, its pid cannot be reused).
    func killGroup(_ signal: Int32) {
        guard !groupReleased else { return }
        kill(-pid, signal)
        // A leader that has not yet run setpgid is not in its group.
        kill(pid, signal)
    }

    /// Collects the exit status if the process has exited (or waits when
    /// `block`). Before reaping, kills whatever the plugin left in its group,
    /// so no grandchild outlives it.
    func reap(block: Bool) -> ExitStatus? {
        if reaped { return nil }
        var status: Int32 = 0
        var probe = siginfo_t()
        // Peek without reaping: the zombie keeps the group id ours while we
        // clean the group up.
        let flags = WEXITED | WNOWAIT | (block ? 0 : WNOHANG)
        var r: Int32
        repeat {
            r = waitid(P_PID, id_t(pid), &probe, flags)
        } while r < 0 && errno == EINTR
        if r != 0 { return nil }
        if !block, probe._sifields._sigchld.si_pid == 0 { return nil }
        kill(-pid, SIGKILL)
        let w = ss_wait(pid, &status, 0)
        guard w == pid else { return nil }
        reaped = true
        groupReleased = true
        ss_untrack_process_group(pid)
        _ = DescendantReaper.livePlugins.withLock { $0.remove(pid) }
        var code: Int32 = 0
        switch ss_decode_status(status, &code) {
        case 1: return .exited(code)
        case 2: return .signaled(code)
        default: return .exited(-1)
        }
    }

    var isReaped: Bool { reaped }

    func closeStdin() {
        stdin?.closeQuietly()
        stdin = nil
    }

    func closeStdout() {
        stdout?.closeQuietly()
        stdout = nil
    }

    func closeStderr() {
        stderr?.closeQuietly()
        stderr = nil
    }

    /// Closes every descriptor; the process must already be reaped or killed.
    func closeAll() {
        closeStdin()
        closeStdout()
        closeStderr()
        pidfd?.closeQuietly()
    }
}

extension FileDescriptor {
    /// Closes the descriptor, ignoring errors: after close(2) fails the
    /// descriptor is gone all the same on Linux, and retrying could close a
    /// number another thread has just been given.
    func closeQuietly() {
        try? close()
    }

    /// Sets O_NONBLOCK.
    func setNonBlocking() throws(Errno) {
        let err = ss_set_nonblocking(rawValue, 1)
        if err != 0 { throw Errno(rawValue: err) }
    }
}

/// How a plugin process ended.
public enum ExitStatus: Hashable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let signal): "killed by signal \(signal) (\(signalName(signal)))"
        }
    }
}

func signalName(_ signal: Int32) -> String {
    switch signal {
    case SIGHUP: "SIGHUP"
    case SIGINT: "SIGINT"
    case SIGQUIT: "SIGQUIT"
    case SIGILL: "SIGILL"
    case SIGTRAP: "SIGTRAP"
    case SIGABRT: "SIGABRT"
    case SIGBUS: "SIGBUS"
    case SIGFPE: "SIGFPE"
    case SIGKILL: "SIGKILL"
    case SIGSEGV: "SIGSEGV"
    case SIGPIPE: "SIGPIPE"
    case SIGALRM: "SIGALRM"
    case SIGTERM: "SIGTERM"
    case SIGXCPU: "SIGXCPU, CPU time limit"
    case SIGXFSZ: "SIGXFSZ, file size limit"
    default: "signal \(signal)"
    }
}

/// Calls `body` with a NULL-terminated C array of copies of `strings`.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
