import SecScorePOSIX

/// Keeps the memory of large plugin messages for the next one instead of
/// returning it to the kernel after each (glibc malloc settings; see
/// `LargeBlockAllocator` in SecScorePOSIX for the figures). Process-wide, so
/// the host program opts in from its `main`: the secscore CLI does, and so
/// does secscore-bench, to measure what the CLI runs.
public enum MessageMemory {
    /// Applies the settings. Returns false when glibc refused one.
    @discardableResult
    public static func keepLargeBlocks() -> Bool {
        LargeBlockAllocator.configure()
    }
}
