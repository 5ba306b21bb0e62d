import SecScoreModel
import SecScoreTestSupport
import TenantSnapshot
import Testing

/// Validates the built-in catalog against docs/catalog-schema.json, and
/// checks that the schema refuses what the loader refuses, with a small
/// validator for the draft 2020-12 keywords the schema uses (as
/// ReportSchemaTests does for reports).
@Suite("docs/catalog-schema.json")
struct CatalogSchemaTests {
    static let catalogPath = fixture("Sources/SecScoreModel/Resources/catalog.json")

    func schema() throws -> JSONValue {
        try JSONParser.parse(Array(try readText(fixture("docs/catalog-schema.json")).utf8))
    }

    func problems(_ text: String) throws -> [String] {
        let schema = try schema()
        return CatalogSchemaValidator(root: schema).validate(try JSONParser.parse(Array(text.utf8)), against: schema, at: "$")
    }

    @Test func theBuiltInCatalogValidates() throws {
        let problems = try problems(try readText(Self.catalogPath))
        #expect(problems.isEmpty, "\(problems.joined(separator: "; "))")
    }

    @Test func theSchemaUsesOnlyKeywordsTheValidatorKnows() throws {
        let schema = try schema()
        #expect(CatalogSchemaValidator(root: schema).unsupportedKeywords(in: schema).isEmpty)
    }

    /// Broken copies of the built-in catalog: the schema and the loader
    /// both refuse each one, at the same place.
    @Test(arguments: [
        ("\"maxPoints\": 20", "\"maxPoints\": 25", "$.editions[0].requirements[0].maxPoints"),
        ("\"type\": \"mandatory\"", "\"type\": \"optional\"", "$.editions[0].requirements[0].type"),
        ("\"state\": \"active\"", "\"state\": \"retired\"", "$.editions[0].requirements[0].state"),
        ("\"effectiveDate\": \"2025-10-01\"", "\"effectiveDate\": \"1 October 2025\"", "$.editions[0].effectiveDate"),
        ("\"directBill\"", "\"direct-bill\"", "$.editions[0].requirements[0].applicablePartnerTypes[0]"),
        ("\"schemaVersion\": 1", "\"schemaVersion\": 2", "$.schemaVersion"),
        ("\"requirementTypes\": false", "\"requirementTypes\": \"no\"", "$.editions[1].requirementTypes"),
        ("\"windowDays\": [\n", "\"windowDays\": [\n 30,", "$.editions[0].requirements[1].parameters.windowDays[0]"),
    ])
    func aBrokenCatalogFailsValidation(_ target: String, _ replacement: String, _ path: String) throws {
        let original = try readText(Self.catalogPath)
        #expect(original.contains(target), "the built-in catalog no longer contains \(target)")
        let broken = original.replacingFirst(target, with: replacement)
        let found = try problems(broken)
        #expect(found.contains { $0.hasPrefix(path + ":") }, "\(path) not among \(found)")
        #expect(throws: SnapshotError.self) { try CatalogLoader.parse(Array(broken.utf8), file: "broken.json") }
    }

    @Test func requirementTypesDecideWhetherATypeIsRequired() throws {
        let original = try readText(Self.catalogPath)
        // A typed edition's requirement without a type.
        let untyped = original.replacingFirst("\"type\": \"mandatory\",", with: "")
        #expect(try problems(untyped).contains("$.editions[0].requirements[0]: missing type"))
        #expect(throws: SnapshotError.self) { try CatalogLoader.parse(Array(untyped.utf8), file: "broken.json") }
        // An untyped edition's requirement with one: edition 2024 starts
        // after the first "requirementTypes": false.
        let split = try #require(original.firstRange(of: "\"requirementTypes\": false"))
        let typedLate = original[..<split.upperBound]
            + String(original[split.upperBound...]).replacingFirst("\"maxPoints\"", with: "\"type\": \"mandatory\", \"maxPoints\"")
        #expect(try problems(String(typedLate)).contains { $0.hasPrefix("$.editions[1].requirements[0].type:") })
        #expect(throws: SnapshotError.self) { try CatalogLoader.parse(Array(String(typedLate).utf8), file: "broken.json") }
    }

    @Test func aMisspeltMemberFailsValidationThoughTheLoaderIgnoresIt() throws {
        let broken = try readText(Self.catalogPath).replacingFirst("\"parameters\":", with: "\"paramters\":")
        #expect(try problems(broken).contains("$.editions[0].requirements[0]: unexpected member paramters"))
        // The loader reads on without the parameters: why the schema is strict.
        let catalog = try CatalogLoader.parse(Array(broken.utf8), file: "typo.json")
        #expect(catalog.editions[0].requirements[0].parameters.isEmpty)
    }
}

/// The draft 2020-12 keywords docs/catalog-schema.json uses, and no more:
/// `unsupportedKeywords` keeps the schema within them.
struct CatalogSchemaValidator {
    let root: JSONValue

    static let assertions: Set<String> = [
        "$ref", "type", "const", "enum", "minimum", "maximum", "minLength", "pattern", "required", "properties",
        "additionalProperties", "items", "minItems", "uniqueItems", "if", "then", "else",
    ]
    static let annotations: Set<String> = ["$schema", "$id", "$defs", "title", "description"]

    func validate(_ value: JSONValue, against schema: JSONValue, at path: String) -> [String] {
        var problems: [String] = []
        if case .string(let ref)? = schema["$ref"] {
            guard let target = resolve(ref) else { return ["\(path): cannot resolve \(ref)"] }
            problems += validate(value, against: target, at: path)
        }
        if let constant = schema["const"], constant != value { problems.append("\(path): expected \(constant.kind), found \(value.kind)") }
        if case .array(let options)? = schema["enum"], !options.contains(value) {
            problems.append("\(path): \(value.kind) is not one of \(options.map(\.kind).joined(separator: ", "))")
        }
        if let type = schema["type"] {
            let allowed: [String]
            switch type {
            case .string(let t): allowed = [t]
            case .array(let ts): allowed = ts.compactMap { if case .string(let s) = $0 { s } else { nil } }
            default: allowed = []
            }
            if !allowed.contains(where: { matches(value, $0) }) { problems.append("\(path): \(value.kind) is not of type \(allowed.joined(separator: " or "))") }
        }
        if case .number(let n) = value, let v = Double(n) {
            if case .number(let m)? = schema["minimum"], let limit = Double(m), v < limit { problems.append("\(path): below minimum \(m)") }
            if case .number(let m)? = schema["maximum"], let limit = Double(m), v > limit { problems.append("\(path): above maximum \(m)") }
        }
        if case .string(let s) = value {
            if case .number(let m)? = schema["minLength"], let length = Int(m), s.count < length { problems.append("\(path): shorter than \(m)") }
            if case .string(let pattern)? = schema["pattern"] {
                if let regex = try? Regex(pattern) {
                    if s.firstMatch(of: regex) == nil { problems.append("\(path): \"\(s)\" does not match \(pattern)") }
                } else {
                    problems.append("\(path): the schema's pattern \(pattern) is not a regular expression")
                }
            }
        }
        if case .object(let members) = value {
            if case .array(let required)? = schema["required"] {
                for case .string(let key) in required where value[key] == nil { problems.append("\(path): missing \(key)") }
            }
            for (key, member) in members {
                if let property = schema["properties"]?[key] {
                    problems += validate(member, against: property, at: "\(path).\(key)")
                } else if let extra = schema["additionalProperties"] {
                    if extra == .bool(false) {
                        problems.append("\(path): unexpected member \(key)")
                    } else if case .object = extra {
                        problems += validate(member, against: extra, at: "\(path).\(key)")
                    }
                }
            }
        }
        if case .array(let items) = value {
            if case .number(let m)? = schema["minItems"], let count = Int(m), items.count < count { problems.append("\(path): fewer than \(m) items") }
            if schema["uniqueItems"] == .bool(true) {
                for (i, item) in items.enumerated() where items[..<i].contains(item) { problems.append("\(path)[\(i)]: repeats an earlier item") }
            }
            if let itemSchema = schema["items"] {
                for (i, item) in items.enumerated() { problems += validate(item, against: itemSchema, at: "\(path)[\(i)]") }
            }
        }
        if let condition = schema["if"] {
            let branch = validate(value, against: condition, at: path).isEmpty ? schema["then"] : schema["else"]
            if let branch { problems += validate(value, against: branch, at: path) }
        }
        return problems
    }

    /// Keywords in `schema` (at any depth) this validator would ignore.
    func unsupportedKeywords(in schema: JSONValue) -> [String] {
        guard case .object(let members) = schema else { return [] }
        var unknown: [String] = []
        for (key, value) in members {
            switch key {
            case "properties", "$defs":
                if case .object(let named) = value { for (_, sub) in named { unknown += unsupportedKeywords(in: sub) } }
            case "items", "additionalProperties", "if", "then", "else":
                unknown += unsupportedKeywords(in: value)
            default:
                if !Self.assertions.contains(key) && !Self.annotations.contains(key) { unknown.append(key) }
            }
        }
        return unknown
    }

    /// A local reference such as #/$defs/edition.
    func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: JSONValue? = root
        for part in ref.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        return node
    }

    func matches(_ value: JSONValue, _ type: String) -> Bool {
        switch (value, type) {
        case (.null, "null"), (.bool, "boolean"), (.string, "string"), (.array, "array"), (.object, "object"), (.number, "number"): true
        case (.number(let n), "integer"): Int(n) != nil
        default: false
        }
    }
}
