import Foundation

/// The two runs compared: one row per partner, and each partner's report
/// either byte-identical to the clean run's or different only where a
/// requirement became "error", worth nothing, with the plugin's failure as
/// the reason.
struct Verdict {
    var rows = 0
    var missing = 0
    var duplicated = 0
    var identical = 0
    var disturbed = 0
    var erroredRequirements = 0
    /// Why requirements became errors, by kind.
    var reasons: [String: Int] = [:]
    var restarts: [String: Int] = [:]
    var problems: [String] = []

    static func compare(clean: String, soaked: String, partners: Int) throws -> Verdict {
        var v = Verdict()
        let cleanRows = try summaryNames(clean + ".json")
        let soakSummary = try json(soaked + ".json")
        let soakRows = ((soakSummary["partners"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        v.restarts = (soakSummary["pluginRestarts"] as? [String: Int]) ?? [:]
        v.rows = soakRows.count
        v.duplicated = soakRows.count - Set(soakRows).count
        v.missing = Set(cleanRows).subtracting(soakRows).count
        if cleanRows.count != partners { v.problems.append("the clean run has \(cleanRows.count) rows for \(partners) partners") }
        for name in cleanRows {
            let a = clean + "/" + name + ".json", b = soaked + "/" + name + ".json"
            guard let cleanBytes = FileManager.default.contents(atPath: a) else {
                v.problems.append("\(name): the clean run wrote no report")
                continue
            }
            guard let soakBytes = FileManager.default.contents(atPath: b) else {
                v.problems.append("\(name): the soak run wrote no report")
                continue
            }
            if cleanBytes == soakBytes {
                v.identical += 1
                continue
            }
            v.disturbed += 1
            v.check(name, clean: try json(a), soaked: try json(b))
        }
        return v
    }

    private mutating func check(_ name: String, clean: [String: Any], soaked: [String: Any]) {
        for key in ["edition", "asOf", "partner", "maxPoints"] where !same(clean[key], soaked[key]) {
            problems.append("\(name): \(key) differs")
        }
        let earnedClean = clean["earnedPoints"] as? Int ?? 0, earnedSoak = soaked["earnedPoints"] as? Int ?? 0
        if earnedSoak > earnedClean { problems.append("\(name): earned \(earnedSoak) points under faults, \(earnedClean) clean") }
        for list in ["requirements", "futureRequirements"] {
            let a = clean[list] as? [[String: Any]] ?? [], b = soaked[list] as? [[String: Any]] ?? []
            guard a.count == b.count else {
                problems.append("\(name): \(a.count) \(list) clean, \(b.count) under faults")
                continue
            }
            for (x, y) in zip(a, b) where !same(x, y) {
                let id = x["id"] as? String ?? "?"
                let reason = y["reason"] as? String ?? ""
                guard y["id"] as? String == id, y["status"] as? String == "error", y["points"] as? Int == 0,
                      y["maxPoints"] as? Int == x["maxPoints"] as? Int, reason.hasPrefix("plugin ") || reason.contains(": plugin ")
                else {
                    problems.append("\(name): \(id) is \(y["status"] ?? "?") with \(y["points"] ?? "?") points under faults, \(x["status"] ?? "?") clean")
                    continue
                }
                erroredRequirements += 1
                reasons[Self.kind(of: reason), default: 0] += 1
            }
        }
    }

    /// A coarse class of an error reason, for the soak's figures.
    static func kind(of reason: String) -> String {
        if reason.contains("its answer is discarded") { return "answer discarded after a later protocol violation" }
        if reason.contains("deadline") || reason.contains("hung") { return "deadline" }
        if reason.contains("magic") || reason.contains("protocol") || reason.contains("frame") || reason.contains("protobuf") {
            return "protocol violation"
        }
        if reason.contains("SIGKILL") || reason.contains("signal") || reason.contains("exited") { return "killed" }
        return "other"
    }

    private func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (let x?, let y?): canonical(x) == canonical(y)
        default: false
        }
    }

    private func canonical(_ value: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    }

    private static func json(_ path: String) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path),
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw SoakFailure("\(path): missing or not a JSON object") }
        return object
    }

    private static func summaryNames(_ path: String) throws -> [String] {
        ((try json(path)["partners"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
    }
}
