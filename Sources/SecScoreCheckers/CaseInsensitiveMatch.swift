extension String {
    /// `lowercased() == lower`, for `lower` lowercase ASCII (a keyword), without
    /// making the lowercased copy when this string is ASCII (object ids,
    /// the usual value): Conditional Access keywords ("All",
    /// "GuestsOrExternalUsers") are matched in any case against every
    /// included and excluded user of every policy, for every admin, and
    /// the copies were a fifth of the admin check's time on the
    /// 1,000,000-user benchmark tenant (perf).
    package func lowercasedEquals(_ lower: String) -> Bool {
        // ASCII lowercases letter by letter, and ASCII equals ASCII byte
        // for byte; anything else (either side) as before, since `==`
        // finds U+037E equal to ";" and U+1FEF to "`".
        guard isASCII, lower.isASCII else { return lowercased() == lower }
        return utf8.elementsEqual(lower.utf8) { ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0) == $1 }
    }

    /// Every UTF-8 byte is below 0x80.
    var isASCII: Bool { utf8.allSatisfy { $0 < 0x80 } }
}
