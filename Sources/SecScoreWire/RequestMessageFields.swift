/// The fields of every message an EVALUATE REQUEST can carry, by message
/// name, as plugin.proto and tenant.proto declare them: what the host's
/// `RequestEncoder` writes and the Swift SDK's `RequestDecoder` reads, one
/// table so the two cannot drift apart. Their tests hold it to both files
/// (a field added there fails them until it is here and in both codecs).
package enum RequestMessageFields {
    package static let byMessage: [String: [Int]] = [
        "EvaluateRequest": [1, 2, 3, 4, 5], "EvaluationContext": [1, 2, 3, 4, 5], "Parameter": [1, 2],
        "Facets": Array(1...14), "Partner": [1, 2, 3, 4, 5], "SecurityContact": [1, 2, 3],
        "RoleDefinitions": [1], "RoleDefinition": [1, 2, 3, 4], "RoleAssignments": [1], "RoleAssignment": Array(1...9),
        "Users": [1], "User": Array(1...9), "Groups": [1], "Group": [1, 2, 3, 4, 5],
        "GroupEligibilities": [1], "GroupEligibility": Array(1...9),
        "RegistrationDetails": [1], "RegistrationDetail": Array(1...8), "SecurityDefaults": [1],
        "ConditionalAccessPolicies": [1], "ConditionalAccessPolicy": Array(1...30),
        "PolicyProperty": [1, 2, 3], "GuestsOrExternalUsers": [1, 2, 3], "AuthenticationStrength": [1, 2, 3, 4],
        "SecurityAlerts": [1], "SecurityAlert": Array(1...14), "AlertActivity": [1, 2, 3, 4],
        "CustomerMfa": [1], "CustomerMfaStatistics": [1, 2, 3, 4, 5, 6],
        "SpendingBudgets": [1], "CustomerSpending": [1, 2, 3, 4, 5], "Budget": [1, 2],
    ]
}
