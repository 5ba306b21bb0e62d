public import SecScoreModel
import TenantSnapshot

/// An evaluation whose answers are in but not yet judged. A plugin may still
/// write after answering (a second answer, stray bytes): its answers count
/// only once its process has ended cleanly with nothing wrong on its stdout.
/// Build the report after the runner's `commit()`.
public struct PendingEvaluation: Sendable {
    let edition: Edition
    let asOf: CivilDate
    let partner: PartnerProfile
    let partnerType: PartnerProfile.PartnerType
    let answers: [(RequirementResult, CheckAnswer?)]
    /// Partner Center's own score, to reconcile with.
    var microsoftScore: MicrosoftScore?

    /// The report, with every answer whose runner failed after giving it
    /// turned into could not check, earning nothing.
    public func report() -> EvaluationReport {
        let checked = answers.map { result, answer -> RequirementResult in
            guard result.status != .error, let failure = answer?.laterFailure() else { return result }
            return Scoring.couldNotCheck(result.requirement, reason: "its answer is discarded: \(failure)", plugin: result.plugin)
        }
        let isFuture = { (r: RequirementResult) in Scoring.isFuture(r.requirement, asOf: asOf) }
        var report = EvaluationReport(
            edition: edition, asOf: asOf, partner: partner, partnerType: partnerType,
            requirements: checked.filter { !isFuture($0) }, futureRequirements: checked.filter(isFuture))
        report.reconciliation = microsoftScore.map { Reconciliation.between(report, $0) }
        return report
    }
}
