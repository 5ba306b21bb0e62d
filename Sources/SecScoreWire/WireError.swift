/// A violation of the framing rules, detected while decoding a byte stream.
///
/// A struct over a private enum, so new cases do not break callers that
/// switch on `code`.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of violation it was.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Storage: Hashable, Sendable {
            case badMagic, frameTooLarge, messageTooLarge, interleavedFragments, truncated
        }
        let storage: Storage

        /// The first two bytes of a frame were not 0xF5 0x53.
        public static let badMagic = Code(storage: .badMagic)
        /// A header announced more payload than the negotiated frame limit.
        public static let frameTooLarge = Code(storage: .frameTooLarge)
        /// Fragments added up to more than the message limit.
        public static let messageTooLarge = Code(storage: .messageTooLarge)
        /// A frame of another type or id arrived inside a fragmented message.
        public static let interleavedFragments = Code(storage: .interleavedFragments)
        /// The stream ended inside a frame or a fragmented message.
        public static let truncated = Code(storage: .truncated)

        public var description: String { "\(storage)" }
    }

    public let code: Code
    private let detail: String

    public var description: String { detail }

    init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    static func badMagic(found bytes: [UInt8]) -> WireError {
        let hex = bytes.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined(separator: " ")
        let text = String(decoding: bytes.map { (0x20..<0x7F).contains($0) ? $0 : UInt8(ascii: ".") }, as: UTF8.self)
        return WireError(
            code: .badMagic,
            detail: "bad frame magic: expected f5 53, found \(hex) (\"\(text)\"); the peer wrote something that is not a frame, e.g. printed to stdout"
        )
    }

    static func frameTooLarge(_ length: UInt32, limit: UInt32, type: FrameType) -> WireError {
        WireError(
            code: .frameTooLarge,
            detail: "\(type) frame announces \(length) payload bytes, more than the negotiated maximum of \(limit)"
        )
    }

    static func messageTooLarge(_ size: UInt64, limit: UInt64, type: FrameType) -> WireError {
        WireError(
            code: .messageTooLarge,
            detail: "fragmented \(type) message grows past \(size) bytes, more than the maximum of \(limit)"
        )
    }

    static func interleaved(expected: (FrameType, UInt32), got: (FrameType, UInt32)) -> WireError {
        WireError(
            code: .interleavedFragments,
            detail: "\(got.0) frame for request \(got.1) arrived inside fragmented \(expected.0) message for request \(expected.1); fragments must be contiguous"
        )
    }

    static func truncated(buffered: Int, inMessage: Bool) -> WireError {
        WireError(
            code: .truncated,
            detail: inMessage
                ? "stream ended inside a fragmented message"
                : "stream ended inside a frame (\(buffered) bytes of an incomplete frame)"
        )
    }
}
