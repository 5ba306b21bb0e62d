import CSecScoreHostShims
import Glibc
import Synchronization

/// A spawned plugin process and the host's ends of its three pipes.
///
/// Owns the descriptors and the process group: `killGroup` signals every
/// process the plugin started (unless one escaped with setsid), and `reap`
/// collects the exit status exactly once.
final class PluginProcess: @unchecked Sendable {
    let pid: pid_t
    /// Readable when the process has exited; -1 when the kernel has no pidfd.
    let pidfd: Int32
    private(set) var stdinFD: Int32
    private(set) var stdoutFD: Int32
    private(set) var stderrFD: Int32
    private var reaped = false
    private var groupReleased = false

    private init(pid: pid_t, pidfd: Int32, stdin: Int32, stdout: Int32, stderr: Int32) {
        self.pid = pid
        self.pidfd = pidfd
        self.stdinFD = stdin
        self.stdoutFD = stdout
        self.stderrFD = stderr
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

        var pipes: [[Int32]] = []
        func closeAll() {
            for pair in pipes { close(pair[0]); close(pair[1]) }
        }
        for _ in 0..<3 {
            var fds: [Int32] = [-1, -1]
            let err = ss_pipe_cloexec(&fds)
            if err != 0 {
                closeAll()
                throw PluginError.spawn(executable.path, step: "pipe2", errno: err)
            }
            pipes.append(fds)
        }
        // Protocol pipes of 1 MiB instead of 64 KiB: a large request or
        // answer crosses in a few writes instead of sixteen hand-offs
        // between the processes. Best effort: the kernel may refuse.
        for pipe in pipes.prefix(2) { _ = ss_set_pipe_size(pipe[0], Self.protocolPipeBytes) }
        // Child reads pipes[0][0], writes pipes[1][1] and pipes[2][1].
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
                            executable.path, opened.descriptor, cArgv, cEnvp,
                            pipes[0][0], pipes[1][1], pipes[2][1],
                            rl.baseAddress, Int32(rl.count), &pid, &pidfd, &failedStep)
                    }
                }
            }
            if err == 0 { live.insert(pid) }
            return err
        }
        // The child's ends are the child's now (or nobody's on failure).
        close(pipes[0][0])
        close(pipes[1][1])
        close(pipes[2][1])
        guard err == 0 else {
            close(pipes[0][1])
            close(pipes[1][0])
            close(pipes[2][0])
            let step = failedStep.map { String(cString: $0) } ?? "spawn"
            throw PluginError.spawn(executable.path, step: step, errno: err)
        }
        for fd in [pipes[0][1], pipes[1][0], pipes[2][0]] {
            _ = ss_set_nonblocking(fd, 1)
        }
        return PluginProcess(pid: pid, pidfd: pidfd, stdin: pipes[0][1], stdout: pipes[1][0], stderr: pipes[2][0])
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
        if stdinFD >= 0 { close(stdinFD); stdinFD = -1 }
    }

    func closeStdout() {
        if stdoutFD >= 0 { close(stdoutFD); stdoutFD = -1 }
    }

    func closeStderr() {
        if stderrFD >= 0 { close(stderrFD); stderrFD = -1 }
    }

    /// Closes every descriptor; the process must already be reaped or killed.
    func closeAll() {
        closeStdin()
        closeStdout()
        closeStderr()
        if pidfd >= 0 { close(pidfd) }
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
