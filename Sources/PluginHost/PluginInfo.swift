public import SecScoreWire

/// What a plugin said about itself in WELCOME, after the host checked it.
public struct PluginInfo: Sendable {
    /// The plugin's name, sanitised (from WELCOME, else the file name).
    public var name: String
    public var version: String
    /// The SDK that implements the protocol for it.
    public var sdk: String
    public var protocolMajor: UInt32
    public var protocolMinor: UInt32
    /// Requests the host keeps in flight to it at once.
    public var maxConcurrentRequests: Int
    /// Frame payload limit in both directions after negotiation.
    public var maxFrameBytes: UInt32
    /// Largest request the plugin accepts.
    public var maxMessageBytes: UInt64
    /// The checks it provides.
    public var manifest: Secscore_Plugin_V1_Manifest

    /// The requirement ids it answers, in manifest order.
    public var requirementIDs: [String] {
        manifest.checks.map(\.requirementID)
    }
}
