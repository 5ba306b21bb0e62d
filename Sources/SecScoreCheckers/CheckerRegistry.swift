public import SecScoreWire

/// Checkers by requirement id: every Swift checker secscore ships
/// (`shipped`), or the few one plugin serves.
///
/// Running the shipped checkers in process takes a lookup, the descriptor and
/// one call:
///
/// ```swift
/// guard let checker = CheckerRegistry.shipped.checker(for: id) else { return nil }
/// let finding = checker.evaluate(request)  // Secscore_Plugin_V1_EvaluateRequest
/// ```
public struct CheckerRegistry: Sendable {
    /// In the order given.
    public let checkers: [any Checker.Type]
    private let byID: [String: any Checker.Type]

    /// - Precondition: no two checkers share a requirement id (a programming
    ///   error: the host would refuse the plugin serving both).
    public init(_ checkers: [any Checker.Type]) {
        var byID: [String: any Checker.Type] = [:]
        for checker in checkers {
            precondition(byID[checker.requirementID] == nil, "two checkers declare requirement \(checker.requirementID)")
            byID[checker.requirementID] = checker
        }
        self.checkers = checkers
        self.byID = byID
    }

    /// Every Swift checker secscore ships. A new checker is listed here and in
    /// the `Plugins/*/main.swift` line of the plugin that serves it
    /// (CheckerRegistryTests prove the two and the catalog agree).
    public static let shipped = CheckerRegistry([
        AdminMFAChecker.self,
        AlertResponseChecker.self,
        SpendingBudgetChecker.self,
    ])

    /// The checker that decides `requirementID`, or nil.
    public func checker(for requirementID: String) -> (any Checker.Type)? {
        byID[requirementID]
    }

    /// The manifest entries, in the order given.
    public var descriptors: [Secscore_Plugin_V1_CheckDescriptor] {
        checkers.map { $0.descriptor }
    }

    /// Decides a protocol request with the checker for its requirement id;
    /// nil when no checker here decides it.
    public func evaluate(_ request: Secscore_Plugin_V1_EvaluateRequest) -> Secscore_Plugin_V1_Finding? {
        checker(for: request.requirementID)?.evaluate(request)
    }
}
