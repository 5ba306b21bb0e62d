import SecScoreModel

/// What a report shows of the partner's recorded history (`--history`):
/// what changed since the last run and the score over the last days.
package struct ReportHistory: Sendable {
    /// One recorded run on the trend.
    package struct Point: Sendable, Hashable {
        /// YYYY-MM-DD.
        package var asOf: String
        /// 0...100, nil when nothing applied.
        package var score: Double?

        package init(asOf: String, score: Double?) {
            self.asOf = asOf
            self.score = score
        }
    }

    /// The as-of day of the run before this one; nil for the first run.
    package var previousAsOf: String?
    /// What changed since, in plain words, most important first.
    package var changes: [String]
    /// Recorded runs within the window, oldest first, this one included.
    package var trend: [Point]
    /// The window's length in days.
    package var days: Int

    package init(previousAsOf: String?, changes: [String], trend: [Point], days: Int = 90) {
        self.previousAsOf = previousAsOf
        self.changes = changes
        self.trend = trend
        self.days = days
    }

    /// At most this many changes are listed in a report; `secscore changes`
    /// prints them all.
    static let shownChanges = 25

    /// The heading sentence: first run, nothing changed, or how many things.
    var headline: String {
        guard let previousAsOf else { return "First recorded run for this partner: nothing to compare with yet." }
        if changes.isEmpty { return "Nothing changed since the last run (as of \(previousAsOf))." }
        return "\(changes.count) change\(changes.count == 1 ? "" : "s") since the last run (as of \(previousAsOf)):"
    }

    var shown: ArraySlice<String> { changes.prefix(Self.shownChanges) }

    var more: String? {
        changes.count > Self.shownChanges ? "… and \(changes.count - Self.shownChanges) more (secscore changes prints them all)" : nil
    }

    // MARK: Renderings

    func terminalLines() -> [String] {
        var out = ["Changed since the last run", headline]
        out += shown.map { "  - \($0)" }
        if let more { out.append("  \(more)") }
        let scored = trend.compactMap { p in p.score.map { (p.asOf, $0) } }
        if scored.count > 1 {
            out.append("Score over the last \(days) days: " + scored.map { "\($0.0) \(formatScore($0.1))" }.joined(separator: " · "))
        }
        return out
    }

    func markdown() -> String {
        var out = "## Changed since the last run\n\n\(mdText(headline))\n\n"
        out += shown.map { "- \(mdText($0))\n" }.joined()
        if let more { out += "- \(more)\n" }
        let scored = trend.compactMap { p in p.score.map { (p.asOf, $0) } }
        if scored.count > 1 {
            out += "\nScore over the last \(days) days: " + scored.map { "\($0.0) **\(formatScore($0.1))**" }.joined(separator: " · ") + "\n"
        }
        return out + "\n"
    }

    func html() -> String {
        var h = "<h2>Changed since the last run</h2>\n<p>\(XML.escape(headline))</p>\n"
        if !shown.isEmpty {
            h += "<ul class=\"changes\">" + shown.map { "<li>\(XML.escape($0))</li>" }.joined() + "</ul>\n"
        }
        if let more { h += "<p class=\"muted\">\(XML.escape(more))</p>\n" }
        h += trendChart()
        return h
    }

    /// An inline SVG line of the score, 0–100, over the window: no script,
    /// no external resource, so the page's Content-Security-Policy stays.
    func trendChart() -> String {
        let scored = trend.compactMap { p in p.score.map { (p.asOf, $0) } }
        guard scored.count > 1 else { return "" }
        let width = 640.0, height = 160.0, left = 36.0, bottom = 20.0, top = 8.0
        let plotW = width - left - 8, plotH = height - top - bottom
        let step = plotW / Double(scored.count - 1)
        let points = scored.enumerated().map { i, p in
            (x: left + Double(i) * step, y: top + plotH * (1 - p.1 / 100), asOf: p.0, score: p.1)
        }
        var svg = "<svg class=\"trend\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"Score over the last \(days) days\">"
        for mark in [0.0, 50, 100] {
            let y = top + plotH * (1 - mark / 100)
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - 8)\" y2=\"\(y)\" stroke=\"#e1dfdd\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" font-size=\"10\" text-anchor=\"end\" fill=\"#605e5c\">\(Int(mark))</text>"
        }
        svg += "<polyline fill=\"none\" stroke=\"#0f6cbd\" stroke-width=\"2\" points=\"" + points.map { "\(round1($0.x)),\(round1($0.y))" }.joined(separator: " ") + "\"/>"
        for p in points {
            svg += "<circle cx=\"\(round1(p.x))\" cy=\"\(round1(p.y))\" r=\"3\" fill=\"#0f6cbd\"><title>\(XML.escape(p.asOf)): \(formatScore(p.score))</title></circle>"
        }
        svg += "<text x=\"\(left)\" y=\"\(height - 4)\" font-size=\"10\" fill=\"#605e5c\">\(XML.escape(points.first!.asOf))</text>"
        svg += "<text x=\"\(width - 8)\" y=\"\(height - 4)\" font-size=\"10\" text-anchor=\"end\" fill=\"#605e5c\">\(XML.escape(points.last!.asOf))</text>"
        return "<h3>Score over the last \(days) days</h3>\n" + svg + "</svg>\n"
    }

    func json() -> JSONOut {
        .object([
            ("previousAsOf", previousAsOf.map(JSONOut.string) ?? .null),
            ("changes", .array(changes.map(JSONOut.string))),
            ("trend", .array(trend.map { p in
                .object([("asOf", .string(p.asOf)), ("score", p.score.map { .double(($0 * 100).rounded() / 100) } ?? .null)])
            })),
        ])
    }

    private func round1(_ v: Double) -> Double { (v * 10).rounded() / 10 }

    private func formatScore(_ score: Double) -> String { Scoring.format(score) }

    /// Markdown-inert text (as MarkdownReport escapes plugin text).
    private func mdText(_ s: String) -> String { MarkdownReport.text(s) }
}
