import Glibc

/// The bytes of a message arriving in fragments, joined in one block that
/// grows with `realloc(3)`.
///
/// A message larger than one frame (the 1,000,000-user tenant's requests
/// are up to 44 MB, cut into 4 MiB frames) used to be joined in a `[UInt8]`,
/// which grows by allocating twice the size and copying: for a 50 MB
/// message 120 MB of fresh pages faulted in and 60 MB copied, in a plugin
/// process whose every page is new (page faults were a quarter to a third
/// of the plugins' time on that tenant; perf, BENCHMARKS.md "isolation").
/// glibc serves a block of more than its mmap threshold (8 MiB under
/// `LargeBlockAllocator`) with a mapping of its own and `realloc` grows such
/// a block with `mremap(2)`, which moves page tables, not bytes: each page
/// is faulted in once and nothing is copied again. Swift's arrays cannot
/// grow in place, hence this type.
///
/// Reference semantics stay private: `FrameDecoder` copies it on write, so
/// a copied decoder never shares a half-joined message.
final class MessageAssembly: @unchecked Sendable {
    // @unchecked: the block is only touched through a uniquely referenced
    // instance (`FrameDecoder` checks before every append).

    let type: FrameType
    let requestID: UInt32
    /// The message limit: the block never grows past it (the caller
    /// refuses a message that would exceed it before appending).
    let limit: Int
    private(set) var count = 0
    private var base: UnsafeMutableRawPointer?
    private(set) var capacity = 0

    init(type: FrameType, requestID: UInt32, limit: Int) {
        self.type = type
        self.requestID = requestID
        self.limit = limit
    }

    deinit { free(base) }

    /// A copy holding the same bytes, for a decoder that was copied.
    func copy() -> MessageAssembly {
        let other = MessageAssembly(type: type, requestID: requestID, limit: limit)
        withBytes { other.append($0) }
        return other
    }

    /// Appends `bytes`, growing the block to twice its size when it is
    /// full (to what is needed, at least, and to the limit, at most).
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        let needed = count + bytes.count
        if needed > capacity {
            let size = max(needed, min(capacity * 2, limit))
            guard let grown = realloc(base, size) else {
                // As an array's growth would: no memory left is not recoverable.
                fatalError("cannot allocate \(size) bytes for a \(type) message of request \(requestID)")
            }
            // Raw memory from malloc is bound to bytes before it is read
            // as bytes (`ProtoReader` reads it as UInt8).
            grown.bindMemory(to: UInt8.self, capacity: size)
            base = grown
            capacity = size
        }
        (base! + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count = needed
    }

    /// Calls `body` with the bytes joined so far, valid only during the call.
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: count == 0 ? nil : base, count: count))
    }
}
