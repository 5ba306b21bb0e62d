/// Sizes and versions both sides of the protocol agree on.
public enum ProtocolLimits {
    /// The protocol major version this package speaks.
    public static let protocolMajor: UInt32 = 1
    /// The minor version: additions that old peers can ignore.
    public static let protocolMinor: UInt32 = 0
    /// Frame payload limit when a peer states none.
    public static let defaultMaxFrameBytes: UInt32 = 4 << 20
    /// The largest frame payload either side may ever negotiate.
    public static let absoluteMaxFrameBytes: UInt32 = 64 << 20
    /// The smallest frame payload limit a peer may state; smaller is raised.
    public static let minimumMaxFrameBytes: UInt32 = 64 << 10
    /// Reassembled message limit when a peer states none.
    public static let defaultMaxMessageBytes: UInt64 = 256 << 20

    /// The frame limit two peers settle on: the smaller of the two stated
    /// limits, with 0 read as the default and the result kept within
    /// `minimumMaxFrameBytes...absoluteMaxFrameBytes`.
    public static func negotiatedFrameLimit(_ a: UInt32, _ b: UInt32) -> UInt32 {
        func normalized(_ v: UInt32) -> UInt32 {
            let v = v == 0 ? defaultMaxFrameBytes : v
            return min(max(v, minimumMaxFrameBytes), absoluteMaxFrameBytes)
        }
        return min(normalized(a), normalized(b))
    }
}
