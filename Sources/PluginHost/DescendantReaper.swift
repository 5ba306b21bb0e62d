import CSecScoreHostShims
import Glibc
import Synchronization

/// Keeps plugins' descendants from outliving their sessions.
///
/// Killing a plugin's process group misses a descendant that left it
/// (`setsid`, or a double fork whose middle process exited): Linux hands such
/// an orphan to init, and it runs on after the host. A host that calls
/// `adoptEscapedDescendants()` becomes a child subreaper (prctl
/// PR_SET_CHILD_SUBREAPER), so orphans are handed to it instead; whenever a
/// plugin session ends, every child of the host that is not a running plugin
/// is killed with its group and reaped. This is process-wide, so the host
/// program opts in from its `main` (the secscore CLI does); a library user
/// that embeds `PluginHost` decides for itself.
public enum DescendantReaper {
    private static let enabled = Atomic<Bool>(false)

    /// Plugin processes spawned and not yet reaped. Spawning happens while
    /// holding this lock, so a scan never sees a fresh plugin as an orphan.
    static let livePlugins = Mutex<Set<pid_t>>([])

    /// Makes this process the parent of plugins' escaped descendants.
    /// - Returns: false when the kernel refused (then only process groups
    ///   are cleaned up, as before).
    @discardableResult
    public static func adoptEscapedDescendants() -> Bool {
        guard ss_become_subreaper() == 0 else { return false }
        enabled.store(true, ordering: .relaxed)
        return true
    }

    /// True once `adoptEscapedDescendants()` succeeded.
    public static var isAdopting: Bool { enabled.load(ordering: .relaxed) }

    /// Kills and reaps every child of this process that is not a live
    /// plugin: descendants that escaped their plugin's process group and were
    /// handed to us. Repeats until none is left, since killing one can hand
    /// us its own children. Returns how many were ended.
    @discardableResult
    public static func reapOrphans() -> Int {
        guard isAdopting else { return 0 }
        var ended = 0
        for _ in 0..<64 {
            let orphans = livePlugins.withLock { live in children().filter { !live.contains($0) } }
            if orphans.isEmpty { break }
            for pid in orphans {
                kill(-pid, SIGKILL)  // its own group, if it leads one (setsid)
                kill(pid, SIGKILL)
            }
            for pid in orphans {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            }
            ended += orphans.count
        }
        return ended
    }

    /// The processes whose parent is this process, from /proc.
    static func children() -> [pid_t] {
        let me = getpid()
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var found: [pid_t] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = pid_t(name), pid != me else { continue }
            let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard n > 0 else { continue }
            // "pid (comm) state ppid ...": comm may hold spaces and parens,
            // so read from the last ')'.
            let text = buffer[..<n]
            guard let close = text.lastIndex(of: UInt8(ascii: ")")) else { continue }
            let fields = text[(close + 1)...].split(separator: UInt8(ascii: " "))
            guard fields.count > 2, let ppid = pid_t(String(decoding: fields[1], as: UTF8.self)), ppid == me else { continue }
            found.append(pid)
        }
        return found
    }
}
