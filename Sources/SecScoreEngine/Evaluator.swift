public import SecScoreModel
import SecScoreWire
public import TenantSnapshot

/// What to evaluate and how.
public struct EvaluationOptions: Sendable {
    /// The day the evaluation is as of; every time window ends with it.
    public var asOf: CivilDate
    /// The instant windows are measured back from, in Unix milliseconds.
    /// With an explicit as-of day it is the end of that day (UTC); for
    /// "today" it is now.
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

/// Runs every requirement of an edition against a snapshot through a
/// `CheckRunner`. Checks only return findings; `Scoring` (in the model)
/// decides applicability, status, points and eligibility.
public enum Evaluator {
    /// Evaluates one snapshot and judges the answers at the runner's commit
    /// point, so the report never depends on when a check misbehaved. Only
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
                throw EvaluationError(
                    .unknownEdition,
                    "unknown edition \"\(id)\"; the catalog has \(catalog.editions.map(\.id).joined(separator: ", "))")
            }
            edition = e
        } else {
            edition = catalog.edition(inForceOn: options.asOf)
        }
        let partner = snapshot.partner ?? PartnerProfile()
        guard let partnerType = options.partnerType ?? partner.partnerType else {
            throw EvaluationError(
                .partnerTypeUnknown,
                "\(snapshot.directory): the partner type is unknown: set \"partnerType\" in partner.json (directBill, distributor or indirectReseller)")
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
            answers: results.map { ($0.1, $0.2) }, microsoftScore: snapshot.microsoftScore)
    }

    static func evaluate(
        _ requirement: Requirement, partnerType: PartnerProfile.PartnerType, snapshot: TenantSnapshot,
        context: Secscore_Plugin_V1_EvaluationContext, options: EvaluationOptions, runner: some CheckRunner
    ) async -> (RequirementResult, CheckAnswer?) {
        guard Scoring.applies(requirement, to: partnerType) else {
            return (Scoring.notApplicable(requirement, partnerType: partnerType), nil)
        }
        guard let binding = runner.check(for: requirement.id) else {
            var reason = "no plugin answers \(requirement.id)"
            if !runner.unavailableReasons.isEmpty {
                reason += "; plugins that failed to start: " + runner.unavailableReasons.joined(separator: "; ")
            }
            return (Scoring.couldNotCheck(requirement, reason: reason), nil)
        }
        if let missing = missingFacetsReason(binding.descriptor, snapshot: snapshot) {
            return (Scoring.couldNotCheck(requirement, reason: missing, plugin: binding.name), nil)
        }
        var request = Secscore_Plugin_V1_EvaluateRequest()
        request.requirementID = requirement.id
        request.context = context
        request.facets = FacetProjection.facets(
            of: snapshot, only: binding.descriptor.requiredFacets + binding.descriptor.optionalFacets,
            scope: binding.descriptor.principalScope)
        request.parameters = requirement.parameters.sorted { $0.key < $1.key }.map { name, values in
            var p = Secscore_Plugin_V1_Parameter()
            p.name = name
            p.values = values
            return p
        }
        let answer = await binding.evaluate(request, options.checkTimeout)
        switch answer.result {
        case .success(let finding):
            return (Scoring.result(of: finding, for: requirement, plugin: binding.name), answer)
        case .failure(let failure):
            return (Scoring.couldNotCheck(requirement, reason: failure.description, plugin: binding.name), answer)
        }
    }

    /// Why a check cannot run for lack of data: the files of the required
    /// facets the snapshot does not have, and of optional ones that
    /// `secscore collect` failed to fetch (unknown, not empty), with
    /// collect's reason (collection.json) and files found instead that
    /// secscore does not read (often the data is there under another name).
    static func missingFacetsReason(_ descriptor: Secscore_Plugin_V1_CheckDescriptor, snapshot: TenantSnapshot) -> String? {
        let missing = descriptor.requiredFacets.filter { !snapshot.presentFacets.contains($0) }
            + descriptor.optionalFacets.filter {
                !snapshot.presentFacets.contains($0) && snapshot.collectionReasons[TenantSnapshot.fileNames[$0] ?? ""] != nil
            }
        guard !missing.isEmpty else { return nil }
        let files = missing.map { TenantSnapshot.fileNames[$0] ?? "\($0)" }
        var reason = "\(files.joined(separator: ", ")) \(files.count == 1 ? "is" : "are") missing from the snapshot"
        let why = files.compactMap { f in snapshot.collectionReasons[f].map { "\(f): \($0)" } }
        if !why.isEmpty { reason += "; secscore collect left it out: " + why.joined(separator: "; ") }
        if !snapshot.unreadFiles.isEmpty {
            let shown = snapshot.unreadFiles.prefix(5).joined(separator: ", ")
            reason += "; found instead, and not read: \(shown)\(snapshot.unreadFiles.count > 5 ? " and \(snapshot.unreadFiles.count - 5) more" : "") (secscore reads only the JSON file names the README lists, spelled exactly)"
        }
        return reason
    }
}
