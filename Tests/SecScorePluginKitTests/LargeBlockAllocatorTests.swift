import SecScorePOSIX
import Testing

/// glibc accepts every malloc setting the host and the SDKs' entry points
/// make (a refused one would silently fall back to glibc's defaults, and
/// the page faults and `mprotect` calls BENCHMARKS.md measured would be
/// back). The single arena of the plugins is not set here: it is
/// process-wide and would slow this test process's parallel tests.
@Suite("Large block allocator")
struct LargeBlockAllocatorTests {
    @Test func glibcAcceptsTheSettings() {
        #expect(LargeBlockAllocator.configure())
        #expect(LargeBlockAllocator.topPadBytes >= 1 << 20)
        // A heap trimmed back below its pad would shrink and grow on every message.
        #expect(LargeBlockAllocator.keptTopBytes > LargeBlockAllocator.topPadBytes)
    }
}
