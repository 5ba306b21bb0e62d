import Glibc
package import SecScoreWire
import SecScorePOSIX
import SystemPackage

/// A plugin process driven frame by frame, with no protocol logic of its
/// own: the conformance suite uses it to send what a correct host never
/// would (wrong versions, unknown frame types, oversized lengths) and to see
/// exactly what comes back. Blocking; one thread at a time.
package final class RawSession {
    private let process: PluginProcess
    private var decoder: FrameDecoder
    private var stderrBytes: [UInt8] = []
    private var stdoutEOF = false
    private var exit: ExitStatus?

    /// Spawns `executable` as the host would (scrubbed environment, limits,
    /// own process group) without sending anything.
    package init(_ executable: PluginExecutable, configuration: PluginHostConfiguration = PluginHostConfiguration()) throws(PluginError) {
        process = try PluginProcess.spawn(
            executable, environment: configuration.pluginEnvironment(host: [:]), limits: configuration.resourceLimits)
        decoder = FrameDecoder(maxFrameBytes: ProtocolLimits.absoluteMaxFrameBytes)
    }

    deinit {
        process.killGroup(SIGKILL)
        _ = process.reap(block: true)
        process.closeAll()
    }

    /// The process id.
    package var processID: Int32 { process.pid }

    /// Writes raw bytes to the plugin's stdin; false when it is closed.
    @discardableResult
    package func write(_ bytes: [UInt8]) -> Bool {
        guard let stdin = process.stdin else { return false }
        var offset = 0
        while offset < bytes.count {
            do {
                offset += try bytes.withUnsafeBytes { try stdin.write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            } catch Errno.resourceTemporarilyUnavailable {
                guard Self.wait(for: stdin, POLLOUT, milliseconds: 2000) else { return false }
            } catch {
                return false
            }
        }
        return true
    }

    /// Waits until `fd` is ready for `events`; false on timeout or error.
    private static func wait(for fd: FileDescriptor, _ events: Int32, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: fd.rawValue, events: Int16(events), revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }

    /// Encodes and writes one message as frames.
    @discardableResult
    package func send(_ type: FrameType, id: UInt32 = 0, payload: [UInt8], maxFrameBytes: UInt32 = ProtocolLimits.defaultMaxFrameBytes) -> Bool {
        var bytes: [UInt8] = []
        FrameEncoder.append(type: type, requestID: id, payload: payload, maxFrameBytes: maxFrameBytes, to: &bytes)
        return write(bytes)
    }

    package func closeStdin() {
        process.closeStdin()
    }

    /// The next message from the plugin, nil at end of stream or timeout.
    /// - Throws: `WireError` when the plugin wrote something that is not a frame.
    package func receive(timeout: Duration) throws(WireError) -> WireMessage? {
        let deadline = monotonicNanos() + timeout.nanoseconds
        while true {
            if let message = try decoder.next() { return message }
            if stdoutEOF { return nil }
            let now = monotonicNanos()
            if now >= deadline { return nil }
            pump(until: deadline)
        }
    }

    /// Waits for the process to exit; nil when it is still running.
    package func waitForExit(timeout: Duration) -> ExitStatus? {
        let deadline = monotonicNanos() + timeout.nanoseconds
        while exit == nil {
            if let status = process.reap(block: false) {
                exit = status
                break
            }
            if monotonicNanos() >= deadline { return nil }
            pump(until: min(deadline, monotonicNanos() + 20_000_000))
        }
        return exit
    }

    /// Everything the plugin writes to stdout until it closes it (for
    /// `--describe`, which prints JSON rather than frames).
    package func drainStdout(timeout: Duration) -> [UInt8] {
        let deadline = monotonicNanos() + timeout.nanoseconds
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while let stdout = process.stdout, monotonicNanos() < deadline {
            _ = Self.wait(for: stdout, POLLIN, milliseconds: 50)
            do {
                let n = try buffer.withUnsafeMutableBytes { try stdout.read(into: $0) }
                if n == 0 { break }
                bytes += buffer[..<n]
                if bytes.count > 4 << 20 { break }
            } catch Errno.resourceTemporarilyUnavailable {
                continue
            } catch {
                break
            }
        }
        exit = waitForExit(timeout: .milliseconds(Int64(max(0, Int64(deadline) - Int64(monotonicNanos())) / 1_000_000)))
        return bytes
    }

    /// What the plugin wrote to stderr so far.
    package var stderr: String { String(decoding: stderrBytes, as: UTF8.self) }

    /// Reads whatever is ready on stdout and stderr, waiting at most until
    /// `deadline`.
    private func pump(until deadline: UInt64) {
        var fds: [pollfd] = []
        if !stdoutEOF, let stdout = process.stdout { fds.append(pollfd(fd: stdout.rawValue, events: Int16(POLLIN), revents: 0)) }
        if let stderr = process.stderr { fds.append(pollfd(fd: stderr.rawValue, events: Int16(POLLIN), revents: 0)) }
        let now = monotonicNanos()
        let timeout = deadline > now ? Int32(clamping: (deadline - now) / 1_000_000 + 1) : 0
        if fds.isEmpty {
            usleep(UInt32(min(Int64(timeout), 20)) * 1000)
            return
        }
        guard poll(&fds, nfds_t(fds.count), timeout) > 0 else { return }
        for entry in fds where entry.revents != 0 {
            if let stdout = process.stdout, entry.fd == stdout.rawValue {
                let n = decoder.readInto { Glibc.read(stdout.rawValue, $0.baseAddress, $0.count) }
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) {
                    stdoutEOF = true
                }
            } else if let stderr = process.stderr {
                var buffer = [UInt8](repeating: 0, count: 16384)
                do {
                    let n = try buffer.withUnsafeMutableBytes { try stderr.read(into: $0) }
                    if n == 0 { process.closeStderr() } else if stderrBytes.count < 1 << 20 { stderrBytes += buffer[..<n] }
                } catch Errno.resourceTemporarilyUnavailable {
                    continue
                } catch {
                    process.closeStderr()
                }
            }
        }
    }
}
