import CSecScoreHostShims
import Glibc
import SecScorePOSIX
import SecScoreWire
import SwiftProtobuf
import Synchronization
import SystemPackage

/// Who reads stdout: the I/O thread, or a caller that leads for its own
/// quick answer (leader/follower), and settling before answers are trusted.
extension ConnectionCore {
    // MARK: - Leading

    /// The caller owns stdout: waits on it for up to the leader window and
    /// handles every frame that arrives (its own answer, others' answers,
    /// logs), then hands stdout back. Ends, handing over to the I/O thread,
    /// at end of stream or anything unusual.
    func lead(awaiting id: UInt32) {
        let until = monotonicNanos() + Self.leaderWindowNanos
        while true {
            if state.withLock({ !$0.calls.isOpen(id) }) { break }  // answered, failed or cancelled
            let now = monotonicNanos()
            guard now < until else { break }
            var fd = pollfd(fd: stdoutFD.rawValue, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fd, 1, Int32(clamping: (until - now + 999_999) / 1_000_000))
            if ready < 0, errno == EINTR { continue }
            guard ready > 0, fd.revents & Int16(POLLIN) != 0 else { break }
            let n = reader.withLock { decoder in
                decoder.readInto { buffer in read(stdoutFD.rawValue, buffer.baseAddress, buffer.count) }
            }
            if n < 0, errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
            guard n > 0 else { break }  // end of stream: the I/O thread judges it
            guard handleDecoded() else { break }
        }
        handStdoutBack()
    }

    /// Reads and handles whatever the plugin has written that nobody has
    /// read yet, without waiting. While nothing is awaited the I/O thread
    /// leaves stdout alone (so the next caller can lead); a caller about to
    /// trust earlier answers settles first, so that anything the plugin
    /// wrote after them (a second answer, garbage) is judged in time.
    func settle() {
        let mine = state.withLock { s in
            guard s.stdoutOwner == .none, !s.stdoutClosed else { return false }
            s.stdoutOwner = .leader
            return true
        }
        guard mine else { return }
        while true {
            let n = reader.withLock { decoder in
                decoder.readInto { buffer in read(stdoutFD.rawValue, buffer.baseAddress, buffer.count) }
            }
            if n < 0, errno == EINTR { continue }
            guard n > 0, handleDecoded() else { break }
        }
        handStdoutBack()
    }

    /// A caller gives stdout back, waking the I/O thread when it must
    /// watch it.
    func handStdoutBack() {
        let wakeIO = state.withLock { s in
            s.stdoutOwner = .none
            return needsStdout(s)
        }
        if wakeIO { wake() }
    }

    /// Whether the I/O thread must watch stdout: an answer, a PONG or a
    /// WELCOME is awaited, or the session is ending.
    func needsStdout(_ s: State) -> Bool {
        guard case .running = s.stage else { return true }
        return s.handshake != nil || !s.calls.isEmpty || !s.pings.isEmpty
            || s.shutdownRequested || s.failure != nil || s.killRequested
    }

    /// Handles every complete message in the decoder. False when the bytes
    /// were not frames (the plugin has been stopped).
    func handleDecoded() -> Bool {
        while true {
            // A RESPONSE is decoded where it lies in the read buffer (under
            // the reader's lock, which nothing else holds while taking the
            // state's) and handled after.
            let next: Result<FrameDecoder.Next<(UInt32, Result<Secscore_Plugin_V1_EvaluateResponse, any Error>)>?, WireError> =
                reader.withLock { decoder in
                    Result { () throws(WireError) in
                        try decoder.next(inPlace: { $0 == .response }) { _, id, payload in
                            (id, Result { try ResponseDecoding.decode(payload) })
                        }
                    }
                }
            switch next {
            case .success(.message(let message)?): handle(message)
            case .success(.inPlace(let (id, response))?): handleResponse(id: id, response)
            case .success(nil): return true
            case .failure(let error):
                violation("\(error)")
                return false
            }
        }
    }

    /// Takes stdout for the I/O thread, waiting out a caller's short lead.
    func takeStdoutForIO() {
        while !state.withLock({ s in
            if s.stdoutOwner == .leader { return false }
            s.stdoutOwner = .io
            return true
        }) {
            usleep(20)
        }
    }
}
