/// The kind of a frame, the third byte of its header.
///
/// A struct over the raw byte rather than an enum so that a frame type this
/// version does not know can still be carried, logged and skipped.
public struct FrameType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Host to plugin, first frame of a session (payload `Hello`).
    public static let hello = FrameType(rawValue: 0x01)
    /// Plugin to host, the answer to HELLO (payload `Welcome`).
    public static let welcome = FrameType(rawValue: 0x02)
    /// Either direction: the sender ends the session (payload `GoAway`).
    public static let goAway = FrameType(rawValue: 0x03)
    /// Host to plugin when idle (payload `Ping`).
    public static let ping = FrameType(rawValue: 0x04)
    /// Plugin to host, echoes a PING's id and nonce (payload `Ping`).
    public static let pong = FrameType(rawValue: 0x05)
    /// Host to plugin, one evaluation (payload `EvaluateRequest`).
    public static let request = FrameType(rawValue: 0x10)
    /// Plugin to host, the one terminal answer to a request (payload `EvaluateResponse`).
    public static let response = FrameType(rawValue: 0x11)
    /// Host to plugin, abandon a request (payload `Cancel`).
    public static let cancel = FrameType(rawValue: 0x12)
    /// Plugin to host, a log line (payload `Log`).
    public static let log = FrameType(rawValue: 0x13)
    /// Plugin to host, progress of a request (payload `Progress`).
    public static let progress = FrameType(rawValue: 0x14)

    public var description: String {
        switch self {
        case .hello: "HELLO"
        case .welcome: "WELCOME"
        case .goAway: "GOAWAY"
        case .ping: "PING"
        case .pong: "PONG"
        case .request: "REQUEST"
        case .response: "RESPONSE"
        case .cancel: "CANCEL"
        case .log: "LOG"
        case .progress: "PROGRESS"
        default: "UNKNOWN(0x\(String(rawValue, radix: 16, uppercase: true)))"
        }
    }
}

/// The fourth byte of a frame header.
public struct FrameFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// More frames of the same message follow (same type and request id,
    /// contiguous on the wire). The receiver concatenates the payloads.
    public static let more = FrameFlags(rawValue: 0x01)
}
