public import SecScoreWire

/// The partner's own facts, from partner.json.
public struct PartnerProfile: Sendable, Hashable {
    public enum PartnerType: String, Sendable, Hashable, CaseIterable {
        case directBill, distributor, indirectReseller
    }

    public enum Commerce: String, Sendable, Hashable {
        case newCommerce, traditional
    }

    public var tenantID: String
    public var displayName: String
    public var partnerType: PartnerType?
    public var commerce: Commerce?
    /// Day the partner was first onboarded to CSP: its anniversary month is
    /// the month of the annual authorization validation.
    public var onboardedDate: CivilDate?

    public init(
        tenantID: String = "", displayName: String = "", partnerType: PartnerType? = nil,
        commerce: Commerce? = nil, onboardedDate: CivilDate? = nil
    ) {
        self.tenantID = tenantID
        self.displayName = displayName
        self.partnerType = partnerType
        self.commerce = commerce
        self.onboardedDate = onboardedDate
    }
}

/// A calendar day, with no time zone.
public struct CivilDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`, refusing impossible days.
    public init?(_ text: String) {
        guard let (y, m, d) = ISO8601.parseDate(text) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The day of a Unix millisecond instant, in UTC.
    public init(unixMillis: Int64) {
        let (y, m, d) = ISO8601.civilDay(ofUnixMillis: unixMillis)
        self.init(year: y, month: m, day: d)
    }

    /// Midnight UTC at the start of the day.
    public var startUnixMillis: Int64 { ISO8601.startOfDay(year: year, month: month, day: day) }

    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public var description: String {
        func pad(_ v: Int, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}

/// A tenant snapshot loaded from a directory of JSON exports: the partner's
/// profile and the data facets plugins read.
public struct TenantSnapshot: Sendable {
    /// The directory it was read from.
    public var directory: String
    /// partner.json, if present.
    public var partner: PartnerProfile?
    /// Every facet whose file was present.
    public var facets: Secscore_Tenant_V1_Facets
    /// The facets that were present.
    public var presentFacets: Set<Secscore_Tenant_V1_Facet>
    /// Notes about what was read (e.g. files found but not used).
    public var notes: [String]
    /// Files in the snapshot directory that the loader does not read (a
    /// CSV saved from Partner Center, a misspelled name), sorted; reports
    /// name them where a requirement lacks its file.
    public var unreadFiles: [String] = []
    /// Microsoft's own score (`microsoftScore.json`), shown beside ours; it
    /// never feeds a check.
    public var microsoftScore: MicrosoftScore?
    /// Why `secscore collect` left files out (collection.json), by file name.
    public var collectionReasons: [String: String] = [:]

    public init(directory: String, partner: PartnerProfile?, facets: Secscore_Tenant_V1_Facets,
                presentFacets: Set<Secscore_Tenant_V1_Facet>, notes: [String] = []) {
        self.directory = directory
        self.partner = partner
        self.facets = facets
        self.presentFacets = presentFacets
        self.notes = notes
    }

    /// Every file name the loader reads: the facets' files and the ones
    /// merged into them.
    public static let knownFileNames: Set<String> =
        Set(FacetRegistry.entries.flatMap { [$0.fileName] + $0.mergedFileNames })
            .union(["collection.json", MicrosoftScoreReader.fileName])

    /// The file each facet is read from, for messages that tell a user what to collect.
    public static let fileNames: [Secscore_Tenant_V1_Facet: String] =
        Dictionary(FacetRegistry.entries.map { ($0.facet, $0.fileName) }, uniquingKeysWith: { first, _ in first })

    /// The facets of `wanted` that the snapshot has, every principal included.
    public func facets(only wanted: some Sequence<Secscore_Tenant_V1_Facet>) -> Secscore_Tenant_V1_Facets {
        var out = Secscore_Tenant_V1_Facets()
        for facet in wanted where presentFacets.contains(facet) {
            FacetRegistry.entry(for: facet)?.copy(facets, &out)
        }
        return out
    }
}
