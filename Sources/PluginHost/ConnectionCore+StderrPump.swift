import CSecScoreHostShims
import DequeModule
import Glibc
import Logging
import SecScorePOSIX
import SecScoreWire
import SwiftProtobuf
import Synchronization
import SystemPackage

/// The stderr pump: drains the plugin's stderr whenever it has data, splits
/// it into bounded, sanitised lines for the log and the last-words buffer,
/// and charges every byte to the session's log budget.
extension ConnectionCore {
    func readStderr(_ loop: inout LoopState) {
        for _ in 0..<16 {
            let n = loop.stderrBuffer.withUnsafeMutableBytes { read(stderrFD?.rawValue ?? -1, $0.baseAddress, $0.count) }
            if n > 0 {
                var lines: [(String, Int)] = []
                loop.stderrBuffer.withUnsafeBytes { raw in
                    loop.stderrLines.feed(UnsafeRawBufferPointer(rebasing: raw[..<n])) { line, cut in
                        lines.append((SafeText.sanitize(line), cut))
                    }
                }
                for (line, cut) in lines { emitStderr(line, cut: cut) }
                if !accountLog(bytes: n) { return }
                continue
            }
            if n < 0 {
                let err = errno
                if err == EINTR { continue }
                if err == EAGAIN || err == EWOULDBLOCK { return }
            }
            var lines: [(String, Int)] = []
            loop.stderrLines.finish { line, cut in lines.append((SafeText.sanitize(line), cut)) }
            for (line, cut) in lines { emitStderr(line, cut: cut) }
            loop.stderrOpen = false
            closeOutput(stdout: false)
            return
        }
    }

    func emitStderr(_ line: String, cut: Int) {
        let text = cut > 0 ? line + " … [line cut: \(cut) more bytes]" : line
        state.withLock { s in
            s.recentStderr.append(SafeText.sanitize(text, limit: 300))
            if s.recentStderr.count > 5 { s.recentStderr.removeFirst() }
            s.statistics.logRecords += 1
        }
        configuration.logger.info("\(text)", metadata: logMetadata(.stderr))
    }

    /// Counts log bytes against the budget; stops the plugin past it.
    func accountLog(bytes: Int) -> Bool {
        state.withLock { s in
            s.statistics.logBytes += bytes
            guard s.statistics.logBytes > configuration.logBudgetBytes, s.failure == nil else { return s.failure == nil }
            fail(
                &s,
                PluginError(
                    .resourceExhausted, plugin: s.name,
                    "logged more than \(configuration.logBudgetBytes) bytes in one session; stopped it for flooding the log"),
                kill: true)
            return false
        }
    }
}
