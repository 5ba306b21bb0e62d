/// Microsoft's own partner security score, as Partner Center computed it:
/// Graph beta `security/partner/securityScore` with its `requirements` and
/// `history` (`microsoftScore.json`). secscore never scores with it; it is
/// shown beside secscore's own score, every difference explained.
public struct MicrosoftScore: Sendable, Hashable {
    /// Partner Center's current score, 0...maxScore; nil when not given.
    public var currentScore: Double?
    public var maxScore: Double?
    /// When Microsoft last refreshed the score (`lastRefreshDateTime`), Unix ms.
    public var lastRefreshMs: Int64?
    public var requirements: [Requirement]
    /// Oldest first.
    public var history: [HistoryEntry]

    public init(currentScore: Double?, maxScore: Double?, lastRefreshMs: Int64?, requirements: [Requirement], history: [HistoryEntry]) {
        self.currentScore = currentScore
        self.maxScore = maxScore
        self.lastRefreshMs = lastRefreshMs
        self.requirements = requirements
        self.history = history
    }

    /// One requirement as Partner Center scores it (`securityRequirement`
    /// or one of its derived types).
    public struct Requirement: Sendable, Hashable {
        /// Sometimes the requirement type's name, sometimes a GUID.
        public var id: String
        /// `securityRequirementType`: the catalog's requirement id when
        /// Microsoft and secscore agree on the requirement; any other value
        /// is kept as sent.
        public var requirementType: String
        public var compliance: Compliance
        public var score: Double?
        public var maxScore: Double?
        /// `active`, `preview`, or what Microsoft sent.
        public var state: String
        /// `updatedDateTime`, Unix ms.
        public var updatedMs: Int64?
        /// The counts and measures a derived type carries (e.g.
        /// `adminsRequiredNotUsingMfaCount`, `averageResponseTimeInHours`,
        /// `customersWithSpendBudgetCount`, `compliantTenantCount`), by name.
        public var counts: [String: Double]

        public init(
            id: String, requirementType: String, compliance: Compliance, score: Double?, maxScore: Double?,
            state: String, updatedMs: Int64?, counts: [String: Double]
        ) {
            self.id = id
            self.requirementType = requirementType
            self.compliance = compliance
            self.score = score
            self.maxScore = maxScore
            self.state = state
            self.updatedMs = updatedMs
            self.counts = counts
        }
    }

    /// `complianceStatus`.
    public enum Compliance: Sendable, Hashable {
        case compliant
        /// Graph's enum spells it `noncomplaint`; `noncompliant` is accepted too.
        case noncompliant
        /// Anything else (`unknownFutureValue`, absent): never compared as
        /// either.
        case unknown(String)
    }

    /// One point of Microsoft's score history.
    public struct HistoryEntry: Sendable, Hashable {
        public var createdMs: Int64
        public var score: Double
        public var compliantRequirementsCount: Int?
        public var totalRequirementsCount: Int?
    }
}

/// Reads `microsoftScore.json`: the `securityScore` object (optionally
/// wrapped in `value`, as the single GET returns it) with `requirements` and
/// `history` arrays (each optionally an OData collection). Numbers may be
/// numeric strings, as Graph's beta examples send them.
public enum MicrosoftScoreReader {
    public static let fileName = "microsoftScore.json"

    /// Parses the file's bytes.
    /// - Throws: `SnapshotError` naming `file`, the JSON path and what was expected.
    public static func read(_ bytes: [UInt8], file: String) throws(SnapshotError) -> MicrosoftScore {
        let text = try TextEncoding.utf8(bytes, file: file)
        let root: JSONValue
        do {
            root = try JSONParser.parse(text)
        } catch {
            throw SnapshotError(file: file, path: "", "is not valid JSON: \(error)")
        }
        var score = root
        var path = "$"
        if case .object = root, let value = root["value"] {
            score = value
            path = "$.value"
        }
        guard case .object = score else {
            throw SnapshotError(file: file, path: path, "expected the securityScore object, found \(score.kind)")
        }
        func number(_ value: JSONValue?, at p: String) throws(SnapshotError) -> Double? {
            switch value {
            case nil, .null?: return nil
            case .number(let text)?, .string(let text)?:
                guard let n = Double(text.trimmingCharacters()), n.isFinite else {
                    throw SnapshotError(file: file, path: p, "expected a number, found \"\(text)\"")
                }
                return n
            case let other?:
                throw SnapshotError(file: file, path: p, "expected a number, found \(other.kind)")
            }
        }
        func time(_ value: JSONValue?, at p: String) throws(SnapshotError) -> Int64? {
            guard let value, case .string(let text) = value else {
                if let value, value != .null { throw SnapshotError(file: file, path: p, "expected a date-time, found \(value.kind)") }
                return nil
            }
            switch ISO8601.parseDateTime(text) {
            case .instant(let ms)?: return ms
            case .sentinel?: return nil
            case nil: throw SnapshotError(file: file, path: p, "expected a date-time with a zone (e.g. 2025-02-02T00:00:00Z), found \"\(text)\"")
            }
        }
        func items(_ key: String) throws(SnapshotError) -> [(JSONValue, String)] {
            guard var list = score[key] else { return [] }
            var p = "\(path).\(key)"
            if case .object = list, let inner = list["value"] {
                list = inner
                p += ".value"
            }
            guard case .array(let elements) = list else {
                throw SnapshotError(file: file, path: p, "expected an array, found \(list.kind)")
            }
            return elements.enumerated().map { ($1, "\(p)[\($0)]") }
        }

        var out = MicrosoftScore(
            currentScore: try number(score["currentScore"], at: "\(path).currentScore"),
            maxScore: try number(score["maxScore"], at: "\(path).maxScore"),
            lastRefreshMs: try time(score["lastRefreshDateTime"], at: "\(path).lastRefreshDateTime"),
            requirements: [], history: [])
        let base: Set<String> = ["id", "requirementType", "complianceStatus", "score", "maxScore", "state", "updatedDateTime", "actionUrl", "helpUrl"]
        for (element, p) in try items("requirements") {
            guard case .object(let members) = element else {
                throw SnapshotError(file: file, path: p, "expected a requirement object, found \(element.kind)")
            }
            var type = ""
            if case .string(let t)? = element["requirementType"] { type = t }
            var id = ""
            if case .string(let s)? = element["id"] { id = s }
            if type.isEmpty { type = id }
            guard !type.isEmpty else { throw SnapshotError(file: file, path: p + ".requirementType", "is missing, and so is id") }
            var compliance = MicrosoftScore.Compliance.unknown("absent")
            if case .string(let s)? = element["complianceStatus"] {
                compliance = s == "compliant" ? .compliant : (s == "noncomplaint" || s == "noncompliant") ? .noncompliant : .unknown(s)
            }
            var state = "active"
            if case .string(let s)? = element["state"] { state = s }
            var counts: [String: Double] = [:]
            for (key, value) in members where !base.contains(key) && !key.hasPrefix("@") {
                if case .number(let text) = value, let n = Double(text) { counts[key] = n }
                if case .string(let text) = value, let n = Double(text), n.isFinite { counts[key] = n }
            }
            out.requirements.append(MicrosoftScore.Requirement(
                id: id, requirementType: type, compliance: compliance,
                score: try number(element["score"], at: p + ".score"), maxScore: try number(element["maxScore"], at: p + ".maxScore"),
                state: state, updatedMs: try time(element["updatedDateTime"], at: p + ".updatedDateTime"), counts: counts))
        }
        for (element, p) in try items("history") {
            guard let created = try time(element["createdDateTime"], at: p + ".createdDateTime") else {
                throw SnapshotError(file: file, path: p + ".createdDateTime", "is missing; each history entry needs its date")
            }
            guard let value = try number(element["score"], at: p + ".score") else {
                throw SnapshotError(file: file, path: p + ".score", "is missing")
            }
            out.history.append(MicrosoftScore.HistoryEntry(
                createdMs: created, score: value,
                compliantRequirementsCount: try number(element["compliantRequirementsCount"], at: p + ".compliantRequirementsCount").map { Int($0) },
                totalRequirementsCount: try number(element["totalRequirementsCount"], at: p + ".totalRequirementsCount").map { Int($0) }))
        }
        out.history.sort { $0.createdMs < $1.createdMs }
        return out
    }
}
