public import SecScoreWire

/// Bounds on what a plugin's finding may carry into reports. A message is
/// already bounded by the negotiated frame size (4 MiB by default), but one
/// 2 MB insight would still be copied whole into every report format; so
/// every plugin-supplied string is cut to a documented length with a visible
/// mark, and lists are cut to a documented count with a note saying how many
/// were left out (docs/PROTOCOL.md §7, "Limits on findings").
///
/// Two things are not cut but refused, as protocol errors, because no report
/// could show them faithfully: a metric name used twice in one finding, or
/// an attribute name used twice in one evidence item (JSON objects would
/// keep one of them), and a metric value that is NaN or infinite (JSON has
/// no such number).
public enum FindingLimits {
    /// UTF-8 bytes of one insight.
    public static let insightBytes = 2_048
    /// Insights per finding.
    public static let maxInsights = 100
    /// UTF-8 bytes of an evidence field (kind, id, name, status, a reason,
    /// an attribute value).
    public static let fieldBytes = 512
    /// UTF-8 bytes of a metric, unit or attribute name.
    public static let nameBytes = 64
    /// Evidence items per finding.
    public static let maxEvidenceItems = 200_000
    /// Reasons and attributes per evidence item.
    public static let maxReasons = 32
    public static let maxAttributes = 32
    /// Metrics per finding.
    public static let maxMetrics = 64

    /// Why `finding` cannot be shown faithfully, or nil.
    public static func refusal(_ finding: Secscore_Plugin_V1_Finding) -> String? {
        var metricNames = Set<String>()
        for m in finding.evidence.metrics {
            guard m.value.isFinite else {
                return "reported metric \"\(SafeText.sanitize(m.name, limit: nameBytes))\" as \(m.value), which is not a finite number"
            }
            guard metricNames.insert(m.name).inserted else {
                return "reported metric \"\(SafeText.sanitize(m.name, limit: nameBytes))\" twice in one finding"
            }
        }
        for item in finding.evidence.items where item.attributes.count > 1 {
            if let name = firstRepeatedName(item.attributes) {
                return "gave evidence item \"\(SafeText.sanitize(item.id, limit: nameBytes))\" the attribute \"\(SafeText.sanitize(name, limit: nameBytes))\" twice"
            }
        }
        return nil
    }

    /// The first attribute name that an earlier attribute already used, by
    /// `String`'s `==` (as a `Set` would judge it). Up to 16 attributes,
    /// the usual case, are compared pairwise: a `Set` per evidence item was
    /// 115 ms of every 1,000,000-user evaluation (300,000 items; perf,
    /// BENCHMARKS.md), pairwise compares allocate nothing.
    static func firstRepeatedName(_ attributes: [Secscore_Plugin_V1_Attribute]) -> String? {
        if attributes.count <= 16 {
            for j in attributes.indices.dropFirst() {
                for i in 0..<j where attributes[i].name == attributes[j].name { return attributes[j].name }
            }
            return nil
        }
        var names = Set<String>()
        for a in attributes where !names.insert(a.name).inserted { return a.name }
        return nil
    }

    /// `finding` with every string and list cut to the limits above.
    public static func bounded(_ finding: Secscore_Plugin_V1_Finding) -> Secscore_Plugin_V1_Finding {
        guard needsCutting(finding) else { return finding }
        var f = finding
        var insights = f.insights.prefix(maxInsights).map { cut($0, insightBytes) }
        if f.insights.count > maxInsights { insights.append("… and \(f.insights.count - maxInsights) more insights, not shown (at most \(maxInsights))") }
        f.insights = insights
        var evidence = f.evidence
        var items = Array(evidence.items.prefix(maxEvidenceItems))
        for i in items.indices where itemNeedsCutting(items[i]) {
            var item = items[i]
            item.kind = cut(item.kind, fieldBytes)
            item.id = cut(item.id, fieldBytes)
            item.name = cut(item.name, fieldBytes)
            item.status = cut(item.status, fieldBytes)
            item.reasons = item.reasons.prefix(maxReasons).map { cut($0, fieldBytes) }
            item.attributes = item.attributes.prefix(maxAttributes).map { a in
                var a = a
                a.name = cut(a.name, nameBytes)
                a.value = cut(a.value, fieldBytes)
                return a
            }
            items[i] = item
        }
        if evidence.items.count > maxEvidenceItems {
            f.insights.append("… and \(evidence.items.count - maxEvidenceItems) more evidence items, not shown (at most \(maxEvidenceItems))")
        }
        evidence.items = items
        evidence.metrics = evidence.metrics.prefix(maxMetrics).map { m in
            var m = m
            m.name = cut(m.name, nameBytes)
            m.unit = cut(m.unit, nameBytes)
            return m
        }
        f.evidence = evidence
        return f
    }

    /// `text` cut to at most `limit` UTF-8 bytes on a character boundary,
    /// with a mark saying how much was cut.
    public static func cut(_ text: String, _ limit: Int) -> String {
        let size = text.utf8.count
        guard size > limit else { return text }
        if cutsCleanly(text, at: limit) {
            let end = text.utf8.index(text.utf8.startIndex, offsetBy: limit)
            return String(text[..<end]) + "… [cut: \(size - limit) more bytes]"
        }
        var used = 0
        var end = text.startIndex
        for (index, ch) in zip(text.indices, text) {
            let n = ch.utf8.count
            if used + n > limit { break }
            used += n
            end = text.index(after: index)
        }
        return String(text[..<end]) + "… [cut: \(size - used) more bytes]"
    }

    /// Whether `cut` ends `text` (longer than `limit` bytes) at `limit`,
    /// plainly: its first `limit` bytes and the one after are ASCII,
    /// and they are not the CR and LF of one "\r\n". Then every character
    /// of the prefix is one byte or a whole "\r\n", and a character
    /// boundary falls at `limit` (no ASCII scalar extends the character
    /// before it). False otherwise, for the character walk. Walking 2,048
    /// characters of a 1 MiB insight was a tenth of the host's time in the
    /// 1 MiB benchmark (perf, BENCHMARKS.md "isolation").
    static func cutsCleanly(_ text: String, at limit: Int) -> Bool {
        var text = text
        return text.withUTF8 { bytes -> Bool in
            guard bytes.count > limit, limit > 0 else { return false }
            var seen: UInt8 = bytes[limit]
            for i in 0..<limit { seen |= bytes[i] }
            return seen < 0x80 && !(bytes[limit - 1] == 0x0D && bytes[limit] == 0x0A)
        }
    }

    private static func needsCutting(_ f: Secscore_Plugin_V1_Finding) -> Bool {
        f.insights.count > maxInsights || f.insights.contains { $0.utf8.count > insightBytes }
            || f.evidence.items.count > maxEvidenceItems || f.evidence.metrics.count > maxMetrics
            || f.evidence.metrics.contains { $0.name.utf8.count > nameBytes || $0.unit.utf8.count > nameBytes }
            || f.evidence.items.contains(where: itemNeedsCutting)
    }

    private static func itemNeedsCutting(_ item: Secscore_Plugin_V1_EvidenceItem) -> Bool {
        item.kind.utf8.count > fieldBytes || item.id.utf8.count > fieldBytes || item.name.utf8.count > fieldBytes
            || item.status.utf8.count > fieldBytes || item.reasons.count > maxReasons || item.attributes.count > maxAttributes
            || item.reasons.contains { $0.utf8.count > fieldBytes }
            || item.attributes.contains { $0.name.utf8.count > nameBytes || $0.value.utf8.count > fieldBytes }
    }
}
