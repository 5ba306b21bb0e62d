import CSecScoreHostShims
import Glibc
import SecScorePOSIX
import SecScoreWire
import SwiftProtobuf
import Synchronization
import SystemPackage

/// The framing channel's receiving side: reads stdout into the frame
/// decoder and hands each complete message to `handle`; a framing error
/// stops the plugin, the end of the stream is judged by the loop.
extension ConnectionCore {
    /// What one read of stdout came to.
    enum StdoutRead {
        /// Bytes arrived and were handled; `drained` when the read was short.
        case data(drained: Bool)
        case wouldBlock
        /// End of stream: stdout is closed; the text says if a frame was cut.
        case ended(truncated: String?)
        /// The bytes were not frames: the plugin was stopped, stdout closed.
        case broken
    }

    /// Reads once from stdout into the decoder and handles every message it
    /// completes. Closes stdout at end of stream or on a framing error.
    func readStdoutOnce(_ loop: inout LoopState) -> StdoutRead {
        while true {
            var asked = 0
            let n = reader.withLock { decoder in
                decoder.readInto { buffer in
                    asked = buffer.count
                    return read(stdoutFD.rawValue, buffer.baseAddress, buffer.count)
                }
            }
            if n > 0 {
                guard handleDecoded() else {
                    loop.stdoutOpen = false
                    closeOutput(stdout: true)
                    return .broken
                }
                return .data(drained: n < asked)
            }
            if n < 0 {
                let err = errno
                if err == EINTR { continue }
                if err == EAGAIN || err == EWOULDBLOCK { return .wouldBlock }
            }
            // End of stream (or an error that means the same).
            loop.stdoutOpen = false
            closeOutput(stdout: true)
            return .ended(truncated: truncation())
        }
    }

    func readStdout(_ loop: inout LoopState) {
        // Read what is there now, up to a bound, so stderr and timers get
        // their turn even against a plugin that writes without pause.
        for _ in 0..<16 {
            switch readStdoutOnce(&loop) {
            case .data(let drained):
                // A short read drained the pipe: go back to poll rather than
                // spend a system call on EAGAIN (this is on the reply path).
                if drained { return }
            case .wouldBlock, .broken:
                return
            case .ended(let truncated):
                stdoutClosed(truncated: truncated, loop: &loop)
                return
            }
        }
    }

    /// Reads everything left on stdout of a process that has exited and
    /// handles it. Returns why the stream ended mid-frame, if it did.
    func drainStdout(_ loop: inout LoopState) -> String? {
        while loop.stdoutOpen {
            switch readStdoutOnce(&loop) {
            case .data: continue
            case .wouldBlock, .broken: return nil  // would block: a grandchild holds it open
            case .ended(let truncated): return truncated
            }
        }
        return nil
    }

    /// Why the stream ended mid-frame, or nil when it ended cleanly.
    func truncation() -> String? {
        reader.withLock { decoder in
            do {
                try decoder.finish()
                return nil
            } catch {
                return "\(error)"
            }
        }
    }

    func closeOutput(stdout: Bool) {
        state.withLock { s in
            if stdout { stdoutFD.closeQuietly() } else { stderrFD?.closeQuietly() }
            if stdout { s.stdoutClosed = true }
        }
    }
}
