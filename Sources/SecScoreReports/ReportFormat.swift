package import SecScoreModel

/// The formats a report is written in.
package enum ReportFormat: String, Sendable, Hashable, CaseIterable {
    /// The terminal dashboard (plain text when not on a terminal).
    case table
    /// The report schema of docs/report-schema.json.
    case json
    case markdown
    /// One self-contained page with a strict Content-Security-Policy.
    case html
    /// JUnit XML, one test case per requirement, for CI dashboards.
    case junit

    /// The format a file name's extension names (.json, .html/.htm,
    /// .md/.markdown, .xml, .txt), or nil.
    package static func forFileName(_ path: String) -> ReportFormat? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "json": return .json
        case "html", "htm": return .html
        case "md", "markdown": return .markdown
        case "xml": return .junit
        case "txt": return .table
        default: return nil
        }
    }

    /// The extension of a file in this format (fleet reports are named
    /// `<partner>.<extension>`).
    package var fileExtension: String {
        switch self {
        case .table: "txt"
        case .json: "json"
        case .markdown: "md"
        case .html: "html"
        case .junit: "xml"
        }
    }
}

/// Renders reports in any format with one set of display choices.
package struct ReportRenderer: Sendable {
    /// Show only customers whose name or tenant id contains this text in
    /// customer insights (nil: all).
    package var customerFilter: String?
    /// Columns of the terminal dashboard.
    package var width: Int
    /// ANSI colour in the terminal dashboard.
    package var color: Bool
    /// The partner's recorded history, shown in every format but JUnit.
    package var history: ReportHistory?

    package init(customerFilter: String? = nil, width: Int = 100, color: Bool = false, history: ReportHistory? = nil) {
        self.customerFilter = customerFilter
        self.width = width
        self.color = color
        self.history = history
    }

    /// `report` in `format`, as UTF-8 bytes handed to `sink` in order and
    /// in chunks (JSON as it is written, so a report of any size takes
    /// constant memory; the other formats in one piece). `sink` returns
    /// false to stop; then so does this.
    package func write(_ report: EvaluationReport, as format: ReportFormat, to sink: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        if format == .json {
            return JSONReport.write(shown(report), history: history, to: sink)
        }
        var text = render(report, as: format)
        return text.withUTF8 { sink(UnsafeRawBufferPointer($0)) }
    }

    /// `report` in `format`, as UTF-8 text.
    package func render(_ report: EvaluationReport, as format: ReportFormat) -> String {
        let report = shown(report)
        return switch format {
        case .table: TerminalDashboard(width: width, color: color).render(report, history: history)
        case .json: JSONReport.render(report, history: history)
        case .markdown: MarkdownReport.render(report, history: history)
        case .html: HTMLReport.render(report, history: history)
        case .junit: JUnitReport.render(report)
        }
    }

    /// `report` as these choices show it: only the customers matching
    /// `customerFilter`, when there is one.
    private func shown(_ report: EvaluationReport) -> EvaluationReport {
        customerFilter.map { report.filteringCustomers($0) } ?? report
    }
}
