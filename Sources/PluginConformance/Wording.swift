import PluginHost
import SecScoreWire
import SwiftProtobuf

/// Protocol values as docs/PROTOCOL.md and the .proto files name them, for
/// failure messages: interpolating a generated enum or a oneof prints a
/// Swift value, which a plugin author writing C or Python cannot look up.
enum Wording {
    /// "CODE_INTERNAL (13)".
    static func code(_ code: Secscore_Plugin_V1_Code) -> String {
        let names: [Int: String] = [
            0: "CODE_OK", 1: "CODE_CANCELLED", 2: "CODE_UNKNOWN", 3: "CODE_INVALID_ARGUMENT",
            4: "CODE_DEADLINE_EXCEEDED", 8: "CODE_RESOURCE_EXHAUSTED", 9: "CODE_FAILED_PRECONDITION",
            12: "CODE_UNIMPLEMENTED", 13: "CODE_INTERNAL", 14: "CODE_UNAVAILABLE",
        ]
        return "\(names[code.rawValue] ?? "an unknown code") (\(code.rawValue))"
    }

    /// "COULD_NOT_CHECK (3)".
    static func status(_ status: Secscore_Plugin_V1_FindingStatus) -> String {
        let names = [0: "FINDING_STATUS_UNSPECIFIED", 1: "COMPLIANT", 2: "NOT_COMPLIANT", 3: "COULD_NOT_CHECK"]
        return "\(names[status.rawValue] ?? "an unknown status") (\(status.rawValue))"
    }

    /// "FACET_SECURITY_CONTACT".
    static func facet(_ facet: Secscore_Tenant_V1_Facet) -> String {
        let names = [
            1: "PARTNER", 2: "SECURITY_CONTACT", 3: "ROLE_DEFINITIONS", 4: "ROLE_ASSIGNMENTS", 5: "ROLE_ELIGIBILITIES",
            6: "USERS", 7: "GROUPS", 8: "REGISTRATION_DETAILS", 9: "SECURITY_DEFAULTS", 10: "CONDITIONAL_ACCESS_POLICIES",
            11: "SECURITY_ALERTS", 12: "CUSTOMER_MFA", 13: "SPENDING_BUDGETS", 14: "GROUP_ELIGIBILITIES",
        ]
        return names[facet.rawValue].map { "FACET_" + $0 } ?? "facet \(facet.rawValue)"
    }

    static func facets(_ facets: [Secscore_Tenant_V1_Facet]) -> String {
        facets.isEmpty ? "none" : facets.map(facet).joined(separator: ", ")
    }

    /// "a finding COMPLIANT (1)" or "error CODE_INTERNAL (13) "its message"".
    static func response(_ response: Secscore_Plugin_V1_EvaluateResponse) -> String {
        switch response.result {
        case .finding(let finding):
            return "a finding \(status(finding.status))"
        case .error(let error):
            return "error \(code(error.code)) \(quoted(error.message))"
        case nil:
            return "an empty EvaluateResponse (neither finding nor error)"
        }
    }

    /// Text the plugin chose, sanitised and cut, in quotes.
    static func quoted(_ text: String) -> String {
        text.isEmpty ? "(no message)" : "\"\(SafeText.sanitize(text, limit: 200))\""
    }

    /// "EvaluateResponse" for secscore.plugin.v1.EvaluateResponse.
    static func messageName(_ type: any SwiftProtobuf.Message.Type) -> String {
        String(type.protoMessageName.split(separator: ".").last ?? "")
    }

    static func majors(_ majors: [UInt32]) -> String {
        majors.isEmpty ? "none" : majors.map(String.init).joined(separator: ", ")
    }
}
