import CSecScoreMalloc

/// glibc malloc settings for a process that moves messages of megabytes.
///
/// By default glibc serves a block of 128 KiB or more with its own `mmap`
/// (raising that threshold, up to 32 MiB, to the size of each such block
/// freed) and gives the top of a heap back to the kernel once more than
/// twice that threshold is free. A process that, per message, allocates and
/// frees two or three blocks of the message's size (read buffer, decoded
/// string, encoded answer) then returns and re-faults them on every message:
/// 1 MiB echoed through a plugin cost about 750 page faults, a third of its
/// CPU time (perf, BENCHMARKS.md "1 MiB"). Blocks under 8 MiB (two default
/// 4 MiB frames) now come from the heap, and each heap (the main one and
/// each thread's arena) keeps up to 16 MiB of free memory at its top for the
/// next message. Setting a threshold turns glibc's dynamic one off, so
/// larger blocks are always mapped on their own and returned when freed.
/// (16 and 32 MiB cost a 1,000,000-user evaluation 1,704 MiB of peak RSS
/// against 1,663 MiB with these.) A heap grows by 4 MiB beyond each need
/// rather than glibc's 128 KiB: a thread's arena grows with one
/// `mprotect(2)` per step, and a plugin building the 1,000,000-user
/// tenant's values made thousands of them (7% of its time; perf,
/// BENCHMARKS.md "isolation"). The pad is address space, not memory: pages
/// are touched only when used. Settings are process-wide, so only a program's entry point calls
/// this (the secscore CLI and the plugin SDKs' `main`), never a library on
/// its own. `GLIBC_TUNABLES` set by the user is overridden.
package enum LargeBlockAllocator {
    /// Largest block served from the heap rather than a mapping of its own (bytes).
    package static let heapBlockBytes: Int32 = 8 << 20
    /// Free memory kept at the top of the heap (bytes).
    package static let keptTopBytes: Int32 = 16 << 20
    /// How far beyond a request a heap is extended when it must grow (bytes).
    package static let topPadBytes: Int32 = 4 << 20

    /// Applies the settings. Returns false when glibc refused one.
    ///
    /// - Parameter singleArena: every thread allocates from the main heap
    ///   (M_ARENA_MAX 1). glibc gives each new thread an arena of its own,
    ///   and such an arena grows one page per `mprotect(2)` whatever the
    ///   pad: a Swift plugin checking the 1,000,000-user tenant on its
    ///   reading thread made 29,000 of them (perf, BENCHMARKS.md
    ///   "isolation"), where the main heap grows by the 4 MiB pad. For a
    ///   plugin, which runs a check or two at a time; not for the host,
    ///   whose loader allocates on two threads at once and took 1.4-1.8x as
    ///   long with one arena.
    @discardableResult
    package static func configure(singleArena: Bool = false) -> Bool {
        let large = ss_malloc_keep_large_blocks(heapBlockBytes, keptTopBytes, topPadBytes) == 1
        return singleArena ? ss_malloc_arena_max(1) == 1 && large : large
    }
}
