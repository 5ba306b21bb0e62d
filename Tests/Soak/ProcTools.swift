import Foundation
import Glibc
import Subprocess
import SystemPackage

/// Reading /proc and running commands: what the soak needs to watch and
/// disturb the host from outside, as an operator's tools would.
enum Proc {
    /// The whole file, or nil (procfs files report size 0, so read to EOF).
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            bytes += buffer[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Every process as (pid, parent pid, state letter).
    static func all() -> [(pid: Int32, parent: Int32, state: Character)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { name in
            guard let pid = Int32(name), let stat = read("/proc/\(pid)/stat"),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, let state = fields[0].first, let parent = Int32(fields[1]) else { return nil }
            return (pid, parent, state)
        }
    }

    static func children(of pid: Int32) -> [Int32] {
        all().filter { $0.parent == pid && $0.state != "Z" }.map(\.pid)
    }

    /// Resident set size in KiB.
    static func rssKiB(_ pid: Int32) -> Int? {
        guard let status = read("/proc/\(pid)/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        }
        return nil
    }

    /// Open descriptors.
    static func descriptorCount(_ pid: Int32) -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }

    /// The program's file name (comm is cut at 15 characters; argv[0] is not).
    static func name(_ pid: Int32) -> String {
        guard let argv0 = read("/proc/\(pid)/cmdline")?.split(separator: "\0").first else { return "?" }
        return argv0.split(separator: "/").last.map(String.init) ?? "?"
    }

    /// The pipe inode a descriptor refers to, if it is a pipe.
    static func pipeInode(_ pid: Int32, _ fd: Int) -> String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
              target.hasPrefix("pipe:") else { return nil }
        return target
    }

    /// Whether `pid` has `fd` open for writing only.
    static func isWriteOnly(_ pid: Int32, _ fd: Int) -> Bool {
        guard let info = read("/proc/\(pid)/fdinfo/\(fd)") else { return false }
        for line in info.split(separator: "\n") where line.hasPrefix("flags:") {
            guard let flags = Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces), radix: 8) else { return false }
            return flags & Int(O_ACCMODE) == Int(O_WRONLY)
        }
        return false
    }

    static func descriptors(_ pid: Int32) -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).compactMap { Int($0) }
    }

    /// The descriptor a plugin writes protocol frames to: a write-only pipe
    /// whose read end the host holds, and not the plugin's stderr. (The C
    /// SDK uses fd 1; the Swift SDK moves the protocol to a private
    /// descriptor and points fd 1 at stderr.)
    static func protocolOutput(plugin: Int32, host: Int32) -> Int? {
        let hostPipes = Set(descriptors(host).compactMap { pipeInode(host, $0) })
        let stderrPipe = pipeInode(plugin, 2)
        return descriptors(plugin).first { fd in
            guard let inode = pipeInode(plugin, fd) else { return false }
            return hostPipes.contains(inode) && inode != stderrPipe && isWriteOnly(plugin, fd)
        }
    }
}

/// Runs a command to completion (swift-subprocess: the soak needs none of
/// the host's spawn duties, no limits and no pinned descriptor).
/// - Returns: its exit status (128 + the signal when one killed it) and
///   standard output.
@discardableResult
func runCommand(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, stdout: String) {
    let result = try await Subprocess.run(
        .path(FilePath(executable)), arguments: Arguments(arguments), output: .string(limit: 64 << 20), error: .discarded)
    return (result.terminationStatus.code, result.standardOutput)
}

extension TerminationStatus {
    /// The exit status as a shell reports it.
    var code: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
