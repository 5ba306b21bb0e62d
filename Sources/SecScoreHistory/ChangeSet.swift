import SecScoreModel

/// One difference between two evaluations of a partner, in plain words.
package struct Change: Sendable, Hashable {
    /// What changed.
    package enum Kind: String, Sendable, Hashable {
        case score, authorization, requirement, item, metric
    }

    package var kind: Kind
    /// The requirement it belongs to; nil for the score and authorization.
    package var requirementID: String?
    /// Points won (positive) or lost (negative); 0 when none moved.
    package var points: Int
    /// The sentence shown to people.
    package var text: String
}

/// What changed between two recorded evaluations of one partner: the score,
/// CSP authorization, each requirement's status and points, and the facts
/// behind the insights (an admin who lost coverage and why, a new
/// unanswered alert, a customer that became compliant, a measure that moved).
package enum ChangeSet {
    /// The changes from `old` to `new` (both read with their requirements),
    /// most important first: score, authorization, then each requirement in
    /// catalog order with its items and metrics.
    package static func between(_ old: RecordedEvaluation, _ new: RecordedEvaluation) -> [Change] {
        var changes: [Change] = []
        if old.score != new.score || old.earnedPoints != new.earnedPoints || old.maxPoints != new.maxPoints {
            changes.append(Change(
                kind: .score, requirementID: nil, points: new.earnedPoints - old.earnedPoints,
                text: "Score \(Scoring.format(old.score)) → \(Scoring.format(new.score)) (\(old.earnedPoints) → \(new.earnedPoints) of \(new.maxPoints) points)"))
        }
        if old.authorization != new.authorization {
            changes.append(Change(kind: .authorization, requirementID: nil, points: 0,
                                  text: "CSP authorization: \(old.authorization) → \(new.authorization)"))
        }
        let before = Dictionary(old.requirements.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for requirement in new.requirements where !requirement.future {
            guard let previous = before[requirement.id], !previous.future else {
                changes.append(Change(kind: .requirement, requirementID: requirement.id, points: requirement.points,
                                      text: "\(requirement.title): now counted, \(statusWord(requirement.status))"))
                continue
            }
            if previous.status != requirement.status {
                let delta = requirement.points - previous.points
                changes.append(Change(
                    kind: .requirement, requirementID: requirement.id, points: delta,
                    text: "\(requirement.title): \(statusWord(previous.status)) → \(statusWord(requirement.status))\(pointsText(delta))"))
            }
            changes += items(from: previous, to: requirement)
            changes += metrics(from: previous, to: requirement)
        }
        let now = Set(new.requirements.filter { !$0.future }.map(\.id))
        for previous in old.requirements where !previous.future && !now.contains(previous.id) {
            changes.append(Change(kind: .requirement, requirementID: previous.id, points: -previous.points,
                                  text: "\(previous.title): no longer counted"))
        }
        return changes
    }

    static func items(from old: RecordedRequirement, to new: RecordedRequirement) -> [Change] {
        struct Key: Hashable { var kind: String; var id: String }
        let before = Dictionary(old.items.map { (Key(kind: $0.kind, id: $0.id), $0) }, uniquingKeysWith: { a, _ in a })
        let after = Set(new.items.map { Key(kind: $0.kind, id: $0.id) })
        var out: [Change] = []
        func add(_ text: String) { out.append(Change(kind: .item, requirementID: new.id, points: 0, text: text)) }
        for item in new.items {
            let label = "\(item.kind) \(item.name.isEmpty ? item.id : item.name)"
            guard let previous = before[Key(kind: item.kind, id: item.id)] else {
                if isGood(item.status) { add("new \(label): \(words(item.status))") }
                else if item.kind == "alert" && item.status == "untouched" { add("new unanswered alert \(item.name.isEmpty ? item.id : item.name)") }
                else { add("new \(label): \(words(item.status))\(because(item.reasons))") }
                continue
            }
            if previous.status != item.status {
                if item.kind == "admin" && isGood(previous.status) && !isGood(item.status) {
                    add("\(label) lost MFA coverage\(because(item.reasons))")
                } else if isGood(item.status) {
                    add("\(label) became \(words(item.status))")
                } else {
                    add("\(label): \(words(previous.status)) → \(words(item.status))\(because(item.reasons))")
                }
            } else if !isGood(item.status), previous.reasons != item.reasons, !item.reasons.isEmpty {
                add("\(label): still \(words(item.status)), now\(because(item.reasons))")
            }
        }
        for previous in old.items where !after.contains(Key(kind: previous.kind, id: previous.id)) {
            add("\(previous.kind) \(previous.name.isEmpty ? previous.id : previous.name) is no longer listed (was \(words(previous.status)))")
        }
        return out
    }

    static func metrics(from old: RecordedRequirement, to new: RecordedRequirement) -> [Change] {
        let before = Dictionary(old.metrics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return new.metrics.compactMap { metric in
            guard let previous = before[metric.name], previous.value != metric.value else { return nil }
            let unit = metric.unit.isEmpty ? "" : " \(metric.unit)"
            return Change(kind: .metric, requirementID: new.id, points: 0,
                          text: "\(new.title): \(metric.name) \(Scoring.number(previous.value)) → \(Scoring.number(metric.value))\(unit)")
        }
    }

    static func isGood(_ status: String) -> Bool {
        ["compliant", "answered", "covered", "completed"].contains(status)
    }

    static func statusWord(_ status: String) -> String {
        switch status {
        case "completed": "completed"
        case "notCompleted": "not completed"
        case "notApplicable": "not applicable"
        case "error": "could not check"
        default: status
        }
    }

    /// "notCompliant" → "not compliant".
    static func words(_ camel: String) -> String {
        var out = ""
        for c in camel {
            if c.isUppercase { out += " " + c.lowercased() } else { out.append(c) }
        }
        return out
    }

    static func because(_ reasons: [String]) -> String {
        reasons.isEmpty ? "" : ": " + reasons.joined(separator: "; ")
    }

    static func pointsText(_ delta: Int) -> String {
        delta == 0 ? "" : delta > 0 ? " (+\(delta) points)" : " (\(delta) points)"
    }

}
