/// Makes text that came from a plugin safe to show on a terminal or in a log:
/// invalid UTF-8 becomes U+FFFD, and C0/C1 control characters, DEL and the
/// Unicode bidirectional controls (the "Trojan Source" characters) become
/// visible escapes such as `\u{1B}`. Tab is kept. The result is cut to
/// `limit` UTF-8 bytes with a note saying how much was dropped.
public enum SafeText {
    /// Sanitises raw bytes.
    public static func sanitize(_ bytes: some Collection<UInt8>, limit: Int = .max) -> String {
        sanitize(String(decoding: bytes, as: UTF8.self), limit: limit)
    }

    /// Sanitises a string.
    public static func sanitize(_ text: String, limit: Int = .max) -> String {
        var out = ""
        out.reserveCapacity(min(text.utf8.count, limit))
        var usedBytes = 0
        var dropped = 0
        for scalar in text.unicodeScalars {
            let piece: String
            if isUnsafe(scalar) {
                piece = "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                piece = String(scalar)
            }
            let size = piece.utf8.count
            if usedBytes + size > limit {
                dropped += scalar.utf8.count
                continue
            }
            usedBytes += size
            out += piece
        }
        if dropped > 0 {
            out += "… [\(dropped) more bytes]"
        }
        return out
    }

    /// True for characters that change how a terminal shows what follows.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09: false
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        default: false
        }
    }
}
