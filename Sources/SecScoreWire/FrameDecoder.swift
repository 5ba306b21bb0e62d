/// Turns a byte stream into `WireMessage`s, checking every header.
///
/// The decoder owns its read buffer so that the caller can `read(2)` straight
/// into it (`readInto`), and it reuses that buffer for the whole session. A
/// header's length is checked against `maxFrameBytes` before any space is
/// reserved for its payload, so a hostile length cannot make it allocate.
public struct FrameDecoder: Sendable {
    /// Largest payload of one frame; larger announced lengths are errors.
    public var maxFrameBytes: UInt32
    /// Largest reassembled message.
    public var maxMessageBytes: UInt64

    private var storage: [UInt8]
    private var readIndex = 0
    private var writeIndex = 0
    /// The message being joined from fragments (`MessageAssembly`).
    private var fragments: MessageAssembly?

    public init(
        maxFrameBytes: UInt32 = ProtocolLimits.defaultMaxFrameBytes,
        maxMessageBytes: UInt64 = ProtocolLimits.defaultMaxMessageBytes,
        initialCapacity: Int = 64 << 10
    ) {
        self.maxFrameBytes = maxFrameBytes
        self.maxMessageBytes = maxMessageBytes
        self.storage = [UInt8](repeating: 0, count: initialCapacity)
    }

    /// Bytes received but not yet returned as part of a message.
    public var bufferedByteCount: Int {
        writeIndex - readIndex + (fragments?.count ?? 0)
    }

    /// Copies `bytes` into the buffer.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        reserve(bytes.count)
        storage.withUnsafeMutableBufferPointer { buf in
            _ = UnsafeMutableBufferPointer(rebasing: buf[writeIndex...]).initialize(from: bytes)
        }
        writeIndex += bytes.count
    }

    /// Lets `body` write into free space at the end of the buffer (at least
    /// `minimum` bytes, more when a large frame is half read) and keeps what
    /// it reports as written. `body` returns a byte count, or a negative value
    /// or 0 that is passed back without changing the buffer.
    public mutating func readInto(minimum: Int = 16 << 10, _ body: (UnsafeMutableRawBufferPointer) -> Int) -> Int {
        reserve(max(minimum, pendingFrameRemainder()))
        let start = writeIndex
        let n = storage.withUnsafeMutableBytes { raw in
            body(UnsafeMutableRawBufferPointer(rebasing: raw[start...]))
        }
        if n > 0 { writeIndex += n }
        return n
    }

    /// Returns the next complete message, or nil when more bytes are needed.
    /// - Throws: `WireError` on a bad magic, an oversized frame or message, or
    ///   fragments of different messages mixed together. The stream cannot be
    ///   resynchronised after an error.
    public mutating func next() throws(WireError) -> WireMessage? {
        if case .message(let m)? = try next(inPlace: { _ in false }, { _, _, _ in () }) { return m }
        return nil
    }

    /// What `next(inPlace:_:)` returns.
    public enum Next<T> {
        /// A message, its payload copied out of the buffer.
        case message(WireMessage)
        /// What the caller's closure made of a payload it read in place.
        case inPlace(T)
    }

    /// Like `next()`, except that a message of one frame whose type
    /// `accepts` is not copied out: `body` gets its type, request id and
    /// payload where it lies in the read buffer, valid only during the call,
    /// and its result is returned as `.inPlace`. For large payloads, whose
    /// copy was a pass over every byte (BENCHMARKS.md, "1 MiB"). A message
    /// of several fragments is joined first (`MessageAssembly`), then
    /// given to `body` where it was joined when its type `accepts`, or
    /// returned as `.message`.
    public mutating func next<T>(
        inPlace accepts: (FrameType) -> Bool,
        _ body: (FrameType, UInt32, UnsafeRawBufferPointer) -> T
    ) throws(WireError) -> Next<T>? {
        while true {
            let available = writeIndex - readIndex
            guard available >= FrameHeader.byteCount else { return nil }
            let start = readIndex
            let parsed: Result<FrameHeader, WireError> = storage.withUnsafeBytes { raw in
                Result { () throws(WireError) in
                    try FrameHeader.read(from: UnsafeRawBufferPointer(rebasing: raw[start..<writeIndex]))
                }
            }
            let header = try parsed.get()
            guard header.length <= maxFrameBytes else {
                throw WireError.frameTooLarge(header.length, limit: maxFrameBytes, type: header.type)
            }
            let total = FrameHeader.byteCount + Int(header.length)
            guard available >= total else { return nil }
            let payloadRange = (start + FrameHeader.byteCount)..<(start + total)
            readIndex += total
            if readIndex == writeIndex {
                readIndex = 0
                writeIndex = 0
            }

            if var partial = fragments {
                guard partial.type == header.type, partial.requestID == header.requestID else {
                    throw WireError.interleaved(
                        expected: (partial.type, partial.requestID), got: (header.type, header.requestID))
                }
                let newSize = UInt64(partial.count) + UInt64(header.length)
                guard newSize <= maxMessageBytes else {
                    throw WireError.messageTooLarge(newSize, limit: maxMessageBytes, type: header.type)
                }
                fragments = nil  // so that `partial` is the only reference, unless the decoder was copied
                if !isKnownUniquelyReferenced(&partial) { partial = partial.copy() }
                storage.withUnsafeBytes { raw in partial.append(UnsafeRawBufferPointer(rebasing: raw[payloadRange])) }
                if header.flags.contains(.more) {
                    fragments = partial
                    continue
                }
                if accepts(partial.type) {
                    return .inPlace(partial.withBytes { body(partial.type, partial.requestID, $0) })
                }
                return .message(WireMessage(type: partial.type, requestID: partial.requestID, payload: partial.withBytes { Array($0) }))
            }
            if !header.flags.contains(.more), accepts(header.type) {
                // The indices were reset above when this frame emptied the
                // buffer; its bytes stay where they are until the next read.
                return .inPlace(storage.withUnsafeBytes { raw in
                    body(header.type, header.requestID, UnsafeRawBufferPointer(rebasing: raw[payloadRange]))
                })
            }
            if header.flags.contains(.more) {
                guard UInt64(header.length) <= maxMessageBytes else {
                    throw WireError.messageTooLarge(UInt64(header.length), limit: maxMessageBytes, type: header.type)
                }
                let first = MessageAssembly(
                    type: header.type, requestID: header.requestID, limit: Int(clamping: maxMessageBytes))
                storage.withUnsafeBytes { raw in first.append(UnsafeRawBufferPointer(rebasing: raw[payloadRange])) }
                fragments = first
                continue
            }
            return .message(WireMessage(type: header.type, requestID: header.requestID, payload: Array(storage[payloadRange])))
        }
    }

    /// Call at end of stream: throws when a frame or message was cut short.
    public func finish() throws(WireError) {
        if fragments != nil { throw WireError.truncated(buffered: bufferedByteCount, inMessage: true) }
        if writeIndex > readIndex { throw WireError.truncated(buffered: writeIndex - readIndex, inMessage: false) }
    }

    /// Bytes still missing from a frame whose header has arrived, so that a
    /// large frame is read with few system calls.
    private func pendingFrameRemainder() -> Int {
        let available = writeIndex - readIndex
        guard available >= FrameHeader.byteCount else { return 0 }
        let length = storage.withUnsafeBytes { raw in
            Int(FrameHeader.readBigEndian(raw, readIndex + 8))
        }
        guard length <= Int(maxFrameBytes) else { return 0 }
        return max(0, FrameHeader.byteCount + length - available)
    }

    private mutating func reserve(_ count: Int) {
        if storage.count - writeIndex >= count { return }
        // Move unread bytes to the front first; grow only when that is not enough.
        if readIndex > 0 {
            let unread = writeIndex - readIndex
            storage.withUnsafeMutableBytes { raw in
                let base = raw.baseAddress!
                base.copyMemory(from: base + readIndex, byteCount: unread)
            }
            readIndex = 0
            writeIndex = unread
        }
        if storage.count - writeIndex < count {
            var newCount = max(storage.count, 1024)
            while newCount - writeIndex < count { newCount *= 2 }
            storage.append(contentsOf: repeatElement(0, count: newCount - storage.count))
        }
    }
}
