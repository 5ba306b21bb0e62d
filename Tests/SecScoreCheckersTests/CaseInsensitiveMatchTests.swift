import SecScoreCheckers
import Testing

/// The shortcuts taken for ASCII text answer exactly as the character-wise
/// rules they replace, for ASCII and for everything else.
@Suite("Case-insensitive keywords and partner users")
struct CaseInsensitiveMatchTests {
    /// ASCII, mixed case, prefixes and extensions, and non-ASCII text that
    /// lowercases or normalises onto ASCII (KELVIN SIGN is "k"; U+0130
    /// lowercases to "i" and a combining dot).
    static let texts = [
        "", "all", "All", "ALL", "aLl", "al", "alll", " all", "all ", "guestsorexternalusers", "GuestsOrExternalUsers",
        "GUESTSOREXTERNALUSERS", "guestsOrExternalUser", "mfa", "MFA", "Mfa", "\u{212A}", "k", "K", "\u{130}", "i",
        "ÀLL", "àll", "a\u{301}ll", "all\u{301}", "00000000-0000-0000-0000-000000000000", "[all]", "@ll",
        ";", "\u{37E}", "`", "\u{1FEF}", "a;", "a\u{37E}",
    ]

    @Test func lowercasedEqualsAgreesWithLowercasing() {
        for keyword in ["all", "guestsorexternalusers", "mfa", "k", "i", "", "àll", ";", "\u{37E}", "`", "\u{1FEF}", "a\u{37E}"] {
            for text in Self.texts {
                #expect(text.lowercasedEquals(keyword) == (text.lowercased() == keyword), "\(text) vs \(keyword)")
            }
        }
        #expect("\u{212A}".lowercasedEquals("k"))
        #expect("ALL".lowercasedEquals("all"))
        #expect(!"al".lowercasedEquals("all"))
    }

    /// A partner user is named by a UPN: text with an "@" character. An
    /// "@" a combining mark joins is another character, and no partner.
    @Test func byPartnerFindsTheAtCharacterAsBefore() {
        let whos = ["", "admin@partner.example.com", "Microsoft", "@", "a@", "a@\u{301}b", "zoë@partner.example.com",
                    "zoë@\u{301}partner", "ＡＢ＠partner", "svc-microsoft", "@\u{301}"]
        for who in whos {
            #expect(AlertResponseChecker.byPartner(who) == who.contains("@"), "\(who)")
        }
        #expect(AlertResponseChecker.byPartner("admin@partner.example.com"))
        #expect(!AlertResponseChecker.byPartner("a@\u{301}b"))
    }
}
