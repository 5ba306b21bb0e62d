import SecScoreTestSupport
import TenantSnapshot
import Testing

/// Validates every golden JSON report against docs/report-schema.json with
/// a small validator for the keywords the schema uses.
@Suite("docs/report-schema.json")
struct ReportSchemaTests {
    @Test(arguments: GoldenReportTests.examples.map(\.name))
    func goldenReportsValidate(_ name: String) throws {
        let schema = try JSONParser.parse(Array(try readText(fixture("docs/report-schema.json")).utf8))
        let report = try JSONParser.parse(Array(try readText(fixture("Examples/expected/\(name).json")).utf8))
        let problems = SchemaValidator(root: schema).validate(report, against: schema, at: "$")
        #expect(problems.isEmpty, "\(name): \(problems.joined(separator: "; "))")
    }

    /// A report with `--history` and Microsoft's score beside ours (its
    /// "history" and "microsoft" members) validates too.
    @Test func reportWithHistoryAndMicrosoftScoreValidates() async throws {
        let dir = ScratchDirectory()
        let schema = try JSONParser.parse(Array(try readText(fixture("docs/report-schema.json")).utf8))
        let snapshot = dir.path + "/contoso"
        try FileManager.default.copyItem(atPath: fixture("Examples/snapshots/contoso-direct-bill"), toPath: snapshot)
        try FileManager.default.copyItem(atPath: fixture("Tests/Fixtures/microsoft-score/microsoftScore.json"), toPath: snapshot + "/microsoftScore.json")
        var last = ""
        for asOf in ["2025-11-01", "2025-11-15"] {
            let out = try await runAndCapture(
                product("secscore"),
                ["evaluate", snapshot, "--as-of", asOf, "--history", dir.path + "/h.sqlite", "--format", "json"],
                environment: ["PATH": "/usr/bin:/bin"])
            #expect(out.status == 0, "\(out.stderr)")
            last = out.stdout
        }
        #expect(last.contains("\"previousAsOf\": \"2025-11-01\""))
        #expect(last.contains("\"microsoft\": {") && last.contains("matches Partner Center"))
        let problems = SchemaValidator(root: schema).validate(try JSONParser.parse(Array(last.utf8)), against: schema, at: "$")
        #expect(problems.isEmpty, "\(problems.joined(separator: "; "))")
    }

    @Test func theValidatorCatchesViolations() throws {
        let schema = try JSONParser.parse(Array(try readText(fixture("docs/report-schema.json")).utf8))
        var text = try readText(fixture("Examples/expected/contoso-direct-bill.json"))
        text = text.replacingFirst("\"status\": \"completed\"", with: "\"status\": \"done\"")
        let report = try JSONParser.parse(Array(text.utf8))
        let problems = SchemaValidator(root: schema).validate(report, against: schema, at: "$")
        #expect(problems.contains { $0.contains("$.requirements[0].status") })
    }
}

struct SchemaValidator {
    let root: JSONValue

    func validate(_ value: JSONValue, against schema: JSONValue, at path: String) -> [String] {
        var problems: [String] = []
        if case .string(let ref)? = schema["$ref"] {
            let name = String(ref.split(separator: "/").last!)
            return validate(value, against: root["$defs"]![name]!, at: path)
        }
        if let constant = schema["const"], constant != value { problems.append("\(path): expected \(constant)") }
        if case .array(let options)? = schema["enum"], !options.contains(value) { problems.append("\(path): \(value) not in enum") }
        if let type = schema["type"] {
            let allowed: [String]
            switch type {
            case .string(let t): allowed = [t]
            case .array(let ts): allowed = ts.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
            default: allowed = []
            }
            if !allowed.contains(where: { matches(value, $0) }) { problems.append("\(path): not of type \(allowed)") }
        }
        if case .number(let n) = value, let v = Double(n) {
            if case .number(let m)? = schema["minimum"], v < Double(m)! { problems.append("\(path): below minimum") }
            if case .number(let m)? = schema["maximum"], v > Double(m)! { problems.append("\(path): above maximum") }
        }
        if case .string(let s) = value, case .string(let pattern)? = schema["pattern"], !matchesPattern(s, pattern) {
            problems.append("\(path): \"\(s)\" does not match \(pattern)")
        }
        if case .object(let members) = value {
            if case .array(let required)? = schema["required"] {
                for case .string(let key) in required where value[key] == nil { problems.append("\(path): missing \(key)") }
            }
            for (key, member) in members {
                if let property = schema["properties"]?[key] {
                    problems += validate(member, against: property, at: "\(path).\(key)")
                } else if let extra = schema["additionalProperties"] {
                    if extra == .bool(false) { problems.append("\(path): unexpected member \(key)") }
                    else if case .object = extra { problems += validate(member, against: extra, at: "\(path).\(key)") }
                }
            }
        }
        if case .array(let items) = value, let itemSchema = schema["items"] {
            for (i, item) in items.enumerated() { problems += validate(item, against: itemSchema, at: "\(path)[\(i)]") }
        }
        return problems
    }

    func matches(_ value: JSONValue, _ type: String) -> Bool {
        switch (value, type) {
        case (.null, "null"), (.bool, "boolean"), (.string, "string"), (.array, "array"), (.object, "object"): true
        case (.number, "number"): true
        case (.number(let n), "integer"): Int(n) != nil
        default: false
        }
    }

    /// The schema's patterns are digit templates like ^[0-9]{4}-[0-9]{2}$.
    func matchesPattern(_ s: String, _ pattern: String) -> Bool {
        var template = ""
        var rest = Substring(pattern.dropFirst().dropLast())
        while !rest.isEmpty {
            if rest.hasPrefix("[0-9]{") {
                rest = rest.dropFirst(6)
                let count = Int(rest.prefix { $0 != "}" })!
                rest = rest.drop { $0 != "}" }.dropFirst()
                template += String(repeating: "9", count: count)
            } else {
                template.append(rest.removeFirst())
            }
        }
        return s.count == template.count && zip(s, template).allSatisfy { $1 == "9" ? $0.isNumber : $0 == $1 }
    }
}

func readText(_ path: String) throws -> String {
    guard let f = fopen(path, "rb") else { throw SchemaError(path: path) }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n == 0 { break }
        bytes += buffer[..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

struct SchemaError: Error { var path: String }

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let r = range(of: target) else { return self }
        return replacingCharacters(in: r, with: replacement)
    }
}

import Foundation
import Glibc
