/// One complete protocol message: the payloads of one frame, or of a run of
/// fragments, joined.
public struct WireMessage: Hashable, Sendable {
    public var type: FrameType
    public var requestID: UInt32
    public var payload: [UInt8]

    public init(type: FrameType, requestID: UInt32, payload: [UInt8]) {
        self.type = type
        self.requestID = requestID
        self.payload = payload
    }
}
