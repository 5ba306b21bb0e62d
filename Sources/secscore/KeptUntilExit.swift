/// Values a one-snapshot run keeps until the process exits instead of
/// freeing them. The 1,000,000-user snapshot and its report are millions of
/// small objects: releasing them one at a time took 0.3-0.5 s at the end of
/// a run that then exits (perf), and the kernel takes the whole address
/// space back at once. The same choice as clang's `-disable-free`. Never
/// used for a fleet, whose partners must be freed as it goes.
enum KeptUntilExit {
    static func keep<T: Sendable>(_ value: T) {
        _ = Unmanaged.passRetained(Kept(value))
    }

    private final class Kept<T: Sendable>: Sendable {
        let value: T
        init(_ value: T) { self.value = value }
    }
}
