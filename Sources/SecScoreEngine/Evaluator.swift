import PluginHost
public import SecScoreModel
import SecScoreWire
public import TenantSnapshot

/// What to evaluate and how.
public struct EvaluationOptions: Sendable {
    /// The day the evaluation is as of; every time window ends with it.
    public var asOf: CivilDate
    /// The instant windows are measured back from. With an explicit as-of
    /// day it is the end of that day (UTC); for "today" it is now.
    public var now: Int64
    /// Force an edition instead of the one in force on `asOf`.
    public var editionID: String?
    /// Overrides partner.json's partner type.
    public var partnerType: PartnerProfile.PartnerType?
    /// Deadline of each check.
    public var checkTimeout: Duration

    public init(asOf: CivilDate, now: Int64? = nil, editionID: String? = nil,
                partnerType: PartnerProfile.PartnerType? = nil, checkTimeout: Duration = .seconds(30)) {
        self.asOf = asOf
        self.now = now ?? (asOf.startUnixMillis + 86_400_000 - 1)
        self.editionID = editionID
        self.partnerType = partnerType
        self.checkTimeout = checkTimeout
    }
}

/// Input that makes evaluation impossible (exit code 2).
public struct EvaluationError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Runs every requirement of an edition against a snapshot and scores it.
/// The host decides applicability, points and eligibility; checks only
/// return findings.
public enum Evaluator {
    /// Evaluates one snapshot and judges the answers at the runner's commit
    /// point, so the report never depends on when a plugin misbehaved. Only
    /// for a runner nobody else is using at the same time (`run` and a
    /// shared commit serve a fleet).
    /// - Throws: `EvaluationError` when the partner type is unknown or the
    ///   edition does not exist.
    public static func evaluate(
        snapshot: TenantSnapshot, catalog: Catalog, options: EvaluationOptions, runner: some CheckRunner
    ) async throws(EvaluationError) -> EvaluationReport {
        let pending = try await run(snapshot: snapshot, catalog: catalog, options: options, runner: runner)
        await runner.commit()
        return pending.report()
    }

    /// Asks every check, without judging the answers yet: call the runner's
    /// `commit()` once no check runs, then `PendingEvaluation.report()`.
    /// - Throws: `EvaluationError` as `evaluate`.
    public static func run(
        snapshot: TenantSnapshot, catalog: Catalog, options: EvaluationOptions, runner: some CheckRunner
    ) async throws(EvaluationError) -> PendingEvaluation {
        let edition: Edition
        if let id = options.editionID {
            guard let e = catalog.edition(named: id) else {
                throw EvaluationError("unknown edition \"\(id)\"; the catalog has \(catalog.editions.map(\.id).joined(separator: ", "))")
            }
            edition = e
        } else {
            edition = catalog.edition(inForceOn: options.asOf)
        }
        let partner = snapshot.partner ?? PartnerProfile()
        guard let partnerType = options.partnerType ?? partner.partnerType else {
            throw EvaluationError(
                "\(snapshot.directory): the partner type is unknown: set \"partnerType\" in partner.json (directBill, distributor or indirectReseller) or pass --partner-type")
        }
        var context = Secscore_Plugin_V1_EvaluationContext()
        context.asOf = options.asOf.description
        context.nowUnixMs = options.now
        context.partnerType = partnerType.wire
        context.edition = edition.id
        context.commerceExperience = partner.commerce?.wire ?? .unspecified

        let requestContext = context
        let results = await withTaskGroup(of: (Int, RequirementResult, CheckAnswer?).self) { group in
            for (index, requirement) in edition.requirements.enumerated() {
                group.addTask {
                    let (result, answer) = await evaluate(
                        requirement, partnerType: partnerType, snapshot: snapshot,
                        context: requestContext, options: options, runner: runner)
                    return (index, result, answer)
                }
            }
            var all: [(Int, RequirementResult, CheckAnswer?)] = []
            for await r in group { all.append(r) }
            return all.sorted { $0.0 < $1.0 }
        }
        return PendingEvaluation(
            edition: edition, asOf: options.asOf, partner: partner, partnerType: partnerType,
            answers: results.map { ($0.1, $0.2) })
    }

    static func evaluate(
        _ requirement: Requirement, partnerType: PartnerProfile.PartnerType, snapshot: TenantSnapshot,
        context: Secscore_Plugin_V1_EvaluationContext, options: EvaluationOptions, runner: some CheckRunner
    ) async -> (RequirementResult, CheckAnswer?) {
        guard requirement.applicablePartnerTypes.contains(partnerType) else {
            return (RequirementResult(
                requirement: requirement, status: .notApplicable,
                insights: ["Does not apply to \(partnerTypeName(partnerType)) partners."]), nil)
        }
        guard let binding = runner.check(for: requirement.id) else {
            var reason = "no plugin answers \(requirement.id)"
            if !runner.unavailableReasons.isEmpty {
                reason += "; plugins that failed to start: " + runner.unavailableReasons.joined(separator: "; ")
            }
            return (RequirementResult(requirement: requirement, status: .error, reason: reason), nil)
        }
        let missing = binding.descriptor.requiredFacets.filter { !snapshot.presentFacets.contains($0) }
            // A file secscore collect failed to fetch is unknown, not empty: optional ones too.
            + binding.descriptor.optionalFacets.filter {
                !snapshot.presentFacets.contains($0) && snapshot.collectionReasons[TenantSnapshot.fileNames[$0] ?? ""] != nil
            }
        if !missing.isEmpty {
            let files = missing.map { TenantSnapshot.fileNames[$0] ?? "\($0)" }
            var reason = "\(files.joined(separator: ", ")) \(files.count == 1 ? "is" : "are") missing from the snapshot"
            // secscore collect says why it left a file out (collection.json).
            let why = files.compactMap { f in snapshot.collectionReasons[f].map { "\(f): \($0)" } }
            if !why.isEmpty { reason += "; secscore collect left it out: " + why.joined(separator: "; ") }
            if !snapshot.unreadFiles.isEmpty {
                // Often the data is there under another name or format.
                let shown = snapshot.unreadFiles.prefix(5).joined(separator: ", ")
                reason += "; found instead, and not read: \(shown)\(snapshot.unreadFiles.count > 5 ? " and \(snapshot.unreadFiles.count - 5) more" : "") (secscore reads only the JSON file names the README lists, spelled exactly)"
            }
            return (RequirementResult(requirement: requirement, status: .error, reason: reason, plugin: binding.pluginName), nil)
        }
        var request = Secscore_Plugin_V1_EvaluateRequest()
        request.requirementID = requirement.id
        request.context = context
        request.facets = snapshot.facets(
            only: binding.descriptor.requiredFacets + binding.descriptor.optionalFacets, scope: binding.descriptor.principalScope)
        request.parameters = requirement.parameters.sorted { $0.key < $1.key }.map { name, values in
            var p = Secscore_Plugin_V1_Parameter()
            p.name = name
            p.values = values
            return p
        }
        let answer = await binding.evaluate(request, options.checkTimeout)
        return (result(of: answer.result, for: requirement, plugin: binding.pluginName), answer)
    }

    static func result(
        of outcome: Result<Secscore_Plugin_V1_Finding, PluginError>, for requirement: Requirement, plugin: String
    ) -> RequirementResult {
        switch outcome {
        case .success(let finding):
            switch finding.status {
            case .compliant:
                return RequirementResult(requirement: requirement, status: .completed, insights: finding.insights,
                                         evidence: finding.evidence, plugin: plugin)
            case .notCompliant:
                return RequirementResult(requirement: requirement, status: .notCompleted, insights: finding.insights,
                                         evidence: finding.evidence, plugin: plugin)
            default:
                return RequirementResult(
                    requirement: requirement, status: .error, insights: finding.insights, evidence: finding.evidence,
                    reason: finding.insights.first ?? "the check could not decide from the data",
                    plugin: plugin)
            }
        case .failure(let error):
            return RequirementResult(requirement: requirement, status: .error, reason: error.description, plugin: plugin)
        }
    }

    static func partnerTypeName(_ type: PartnerProfile.PartnerType) -> String {
        switch type {
        case .directBill: "direct-bill"
        case .distributor: "distributor"
        case .indirectReseller: "indirect reseller"
        }
    }
}
