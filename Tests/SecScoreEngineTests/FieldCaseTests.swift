import Foundation
import SecScoreTestSupport
import Testing

/// The field cases (Tests/Fixtures/field-cases, rebuilt from problems people
/// hit in real tenants; each folder's EXPECTED.md says why) through the real
/// CLI and plugin processes: each must come out as expected.json says, and
/// the admin-MFA ones with an insight that names the cause.
@Suite("Field cases decide as EXPECTED.md says")
struct FieldCaseTests {
    static let folder = fixture("Tests/Fixtures/field-cases")

    /// expected.json: case → requirement id (or eligible/nextValidation) →
    /// allowed results joined by "|"; "exit2" accepts a refusal.
    static let expected: [String: [String: String]] = {
        guard let data = FileManager.default.contents(atPath: folder + "/expected.json"),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: [String: String]]
        else { return [:] }
        return json
    }()

    /// Words the admin-MFA verdict must carry, per case: the cause, named.
    static let causes: [String: [String]] = [
        "admin-mfa/01-guest-excluded-by-guest-condition": ["Require MFA for all users", "as a guest or external user (b2bCollaborationGuest)"],
        "admin-mfa/03-nested-group-exclusion": ["through group MFA exclusions → Legacy app owners"],
        "admin-mfa/05-au-scoped-role-vs-ca-role-target": ["not tenant-wide", "role targeting covers only tenant-wide assignments of built-in roles"],
        "admin-mfa/06-device-code-flow-only": ["conditions.authenticationFlows", "deviceCodeFlow"],
        "admin-mfa/08-mfa-or-terms-of-use": ["accepts terms of use", "instead of MFA (grant operator OR)"],
        "admin-mfa/09-pim-group-eligibility-unexpanded": ["60611374-5021-4f83-8b2b-cd41566f6976", "$expand=principal"],
    ]

    @Test func everyCaseIsListed() {
        #expect(Self.expected.count >= 12)
        for name in Self.causes.keys { #expect(Self.expected[name] != nil, "\(name)") }
    }

    @Test(arguments: expected.keys.sorted())
    func caseDecides(_ name: String) async throws {
        var want = try #require(Self.expected[name])
        let args = (want.removeValue(forKey: "args") ?? "--as-of 2025-11-15").split(separator: " ").map(String.init)
        let folder = Self.folder + "/" + String(name.split(separator: "#")[0])
        let out = try await runAndCapture(
            product("secscore"), ["evaluate", folder] + args + ["--format", "json", "--fail-on", "none"],
            environment: ["PATH": "/usr/bin:/bin"])
        let report = try? JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        for (key, alternatives) in want.sorted(by: { $0.key < $1.key }) {
            let allowed = alternatives.split(separator: "|").map(String.init)
            if out.status == 2, allowed.contains(where: { $0 == "exit2" || ($0.hasPrefix("exit2:") && out.stderr.lowercased().contains($0.dropFirst(6).lowercased())) }) {
                continue
            }
            let r = try #require(report, "\(name): exit \(out.status), no JSON report: \(out.stderr)")
            let got: String?
            if key == "eligible" || key == "nextValidation" {
                let value = (r["eligibility"] as? [String: Any])?[key]
                switch value {
                case let b as Bool: got = b ? "true" : "false"
                case let s as String: got = s
                case is NSNull, nil: got = "null"
                default: got = "\(value!)"
                }
            } else {
                let rows = r["requirements"] as? [[String: Any]] ?? []
                got = rows.first { $0["id"] as? String == key }?["status"] as? String
            }
            #expect(got.map(allowed.contains) == true, "\(name): \(key) is \(got ?? "absent"), expected \(alternatives)")
        }
        if let words = Self.causes[name], let r = report {
            let rows = r["requirements"] as? [[String: Any]] ?? []
            let row = try #require(rows.first { $0["id"] as? String == "mfaEnforcedForAdmins" })
            let text = String(decoding: try JSONSerialization.data(withJSONObject: row), as: UTF8.self)
                .replacingOccurrences(of: "\\/", with: "/")
            for w in words {
                #expect(text.contains(w) || text.contains(w.replacingOccurrences(of: "→", with: "\\u2192")), "\(name): the verdict does not say \"\(w)\": \(text.prefix(600))")
            }
        }
    }
}
