/// Strict ISO 8601 parsing for the shapes Graph and Partner Center send.
public enum ISO8601 {
    public enum DateTime: Equatable, Sendable {
        /// Unix epoch milliseconds (UTC).
        case instant(Int64)
        /// Year 0001: Graph's "no date" placeholder.
        case sentinel
    }

    /// Parses `YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|±HH:MM)`. Returns nil for
    /// malformed or impossible values (month 13, 30 February) and for a time
    /// without a zone: its instant is unknown (UTC? the local time of the
    /// machine that wrote it?), and guessing could move it across a window.
    public static func parseDateTime(_ text: String) -> DateTime? {
        let b = Array(text.utf8)
        guard b.count >= 16, let (year, month, day) = date(b[0..<10]), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " ") else { return nil }
        guard let hour = number(b[11..<13]), b[13] == UInt8(ascii: ":"), let minute = number(b[14..<16]) else { return nil }
        var i = 16
        var second = 0
        var millis = 0
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard b.count >= i + 3, let s = number(b[(i + 1)..<(i + 3)]) else { return nil }
            second = s
            i += 3
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                let start = i
                while i < b.count, (0x30...0x39).contains(b[i]) { i += 1 }
                guard i > start else { return nil }
                var digits = Array(b[start..<min(i, start + 3)])
                while digits.count < 3 { digits.append(0x30) }
                millis = number(digits[...])!
            }
        }
        var offsetMinutes = 0
        guard i < b.count else { return nil }  // no zone
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard b.count >= i + 6, let oh = number(b[(i + 1)..<(i + 3)]), b[i + 3] == UInt8(ascii: ":"),
                  let om = number(b[(i + 4)..<(i + 6)]), oh < 24, om < 60
            else { return nil }
            offsetMinutes = (oh * 60 + om) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count, hour < 24, minute < 60, second < 60 else { return nil }
        if year == 1 { return .sentinel }
        let days = daysFromCivil(year, month, day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return .instant(seconds * 1000 + Int64(millis))
    }

    /// Parses `YYYY-MM-DD`; returns (year, month, day) or nil.
    public static func parseDate(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let b = Array(text.utf8)
        guard b.count == 10 else { return nil }
        return date(b[...])
    }

    /// Unix milliseconds of midnight UTC at the start of a calendar day.
    public static func startOfDay(year: Int, month: Int, day: Int) -> Int64 {
        Int64(daysFromCivil(year, month, day)) * 86_400_000
    }

    /// The calendar day (UTC) of a Unix millisecond instant.
    public static func civilDay(ofUnixMillis ms: Int64) -> (year: Int, month: Int, day: Int) {
        let days = Int((ms >= 0 ? ms : ms - 86_399_999) / 86_400_000)
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func date(_ b: ArraySlice<UInt8>) -> (Int, Int, Int)? {
        let s = b.startIndex
        guard b.count >= 10, let y = number(b[s..<(s + 4)]), b[s + 4] == UInt8(ascii: "-"),
              let m = number(b[(s + 5)..<(s + 7)]), b[s + 7] == UInt8(ascii: "-"), let d = number(b[(s + 8)..<(s + 10)])
        else { return nil }
        guard y >= 1, (1...12).contains(m), d >= 1, d <= daysInMonth(y, m) else { return nil }
        return (y, m, d)
    }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func number(_ b: ArraySlice<UInt8>) -> Int? {
        var v = 0
        for c in b {
            guard (0x30...0x39).contains(c) else { return nil }
            v = v * 10 + Int(c - 0x30)
        }
        return b.isEmpty ? nil : v
    }

    /// Howard Hinnant's days_from_civil.
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
