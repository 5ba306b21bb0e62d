/// Kernel resource limits (rlimits) the host sets on every plugin process
/// before it runs, so that a runaway plugin fails alone instead of taking
/// the machine with it.
///
/// A limit of `nil` leaves the host's own limit in place. The defaults are
/// generous for a real check over a large tenant and small enough to stop a
/// plugin that allocates or spins without end.
public struct ResourceLimits: Hashable, Sendable {
    /// Address space in bytes (RLIMIT_AS); an allocation past it fails.
    public var addressSpaceBytes: UInt64?
    /// CPU seconds (RLIMIT_CPU); the kernel sends SIGXCPU, then SIGKILL a
    /// second later.
    public var cpuSeconds: UInt64?
    /// Open descriptors (RLIMIT_NOFILE).
    public var openFiles: UInt64?
    /// Largest file the plugin may write (RLIMIT_FSIZE).
    public var fileSizeBytes: UInt64?
    /// Core dump size (RLIMIT_CORE); 0 keeps tenant data out of core files.
    public var coreDumpBytes: UInt64?

    public init(
        addressSpaceBytes: UInt64? = 4 << 30,
        cpuSeconds: UInt64? = 600,
        openFiles: UInt64? = 256,
        fileSizeBytes: UInt64? = 64 << 20,
        coreDumpBytes: UInt64? = 0
    ) {
        self.addressSpaceBytes = addressSpaceBytes
        self.cpuSeconds = cpuSeconds
        self.openFiles = openFiles
        self.fileSizeBytes = fileSizeBytes
        self.coreDumpBytes = coreDumpBytes
    }

    /// No limits beyond the host's own.
    public static let unlimited = ResourceLimits(
        addressSpaceBytes: nil, cpuSeconds: nil, openFiles: nil, fileSizeBytes: nil, coreDumpBytes: nil)
}
