import Foundation
public import SecScoreJSON
import TenantSnapshot

/// Reads and validates a catalog file. Errors name the file, the JSON path
/// and what was expected, like snapshot errors. The catalog has a schema of
/// its own (docs/catalog-schema.json), so it is read strictly: every value
/// with its JSON type, null never standing for absent.
public enum CatalogLoader {
    /// The catalog that ships with secscore (both editions of the Partner
    /// Center page).
    public static func builtIn() throws(JSONInputError) -> Catalog {
        guard let url = Bundle.module.url(forResource: "catalog", withExtension: "json"),
              let data = try? Data(contentsOf: url)
        else {
            throw JSONInputError(.unreadable, file: "catalog.json", path: "", "the built-in catalog is missing from the installation")
        }
        return try parse([UInt8](data), file: "built-in catalog.json")
    }

    /// Reads a catalog file (`--catalog FILE`).
    public static func load(path: String) throws(JSONInputError) -> Catalog {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JSONInputError(.unreadable, file: path, path: "", "cannot read the catalog file")
        }
        return try parse([UInt8](data), file: path)
    }

    /// Parses catalog JSON.
    public static func parse(_ bytes: [UInt8], file: String) throws(JSONInputError) -> Catalog {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw JSONInputError(.syntax, file: file, path: "", "is not valid JSON: \(error)")
        }
        let node = JSONNode(root, file: file, mode: .strict)
        let version = try node.required("schemaVersion").integer(min: .min)
        guard version == 1 else { throw node.fail("schemaVersion", "expected 1, found \(version)") }
        let editions = try node.required("editions").elements()
        guard !editions.isEmpty else { throw node.fail("editions", "expected at least one edition") }
        var ids = Set<String>()
        var result: [Edition] = []
        for e in editions {
            let id = try e.required("id").string()
            guard ids.insert(id).inserted else { throw e.fail("id", "duplicate edition \"\(id)\"") }
            let typed = try e.required("requirementTypes").bool()
            var requirementIDs = Set<String>()
            var requirements: [Requirement] = []
            for r in try e.required("requirements").elements() {
                let rid = try r.required("id").string()
                guard requirementIDs.insert(rid).inserted else { throw r.fail("id", "duplicate requirement \"\(rid)\" in edition \(id)") }
                let points = try r.required("maxPoints").integer(min: .min)
                guard (0...20).contains(points) else {
                    throw r.fail("maxPoints", "expected 0 to 20 (the dashboard's range), found \(points)")
                }
                var type: RequirementType?
                if typed {
                    let t = try r.required("type").string()
                    guard let parsed = RequirementType(rawValue: t) else {
                        throw r.fail("type", "expected \"mandatory\" or \"recommended\", found \"\(t)\"")
                    }
                    type = parsed
                } else if let t = r.member("type"), t.value != .null {
                    throw r.fail("type", "edition \(id) has no requirement types (requirementTypes is false); remove it")
                }
                var partnerTypes = Set<PartnerProfile.PartnerType>()
                for p in try r.required("applicablePartnerTypes").elements() {
                    let text = try p.string()
                    guard let t = PartnerProfile.PartnerType(rawValue: text) else {
                        throw p.fail("expected directBill, distributor or indirectReseller, found \"\(text)\"")
                    }
                    partnerTypes.insert(t)
                }
                let state = try r.required("state").string()
                guard state == "active" || state == "preview" else {
                    throw r.fail("state", "expected \"active\" or \"preview\", found \"\(state)\"")
                }
                var parameters: [String: [String]] = [:]
                if let p = r.member("parameters") {
                    guard case .object(let members) = p.value else { throw p.fail("expected an object") }
                    for (name, _) in members {
                        parameters[name] = try p.required(name).elements().map { v throws(JSONInputError) in try v.string() }
                    }
                }
                requirements.append(
                    Requirement(
                        id: rid, title: try r.required("title").string(), description: try r.required("description").string(),
                        type: type, maxPoints: Int(points), applicablePartnerTypes: partnerTypes,
                        effectiveDate: try r.date("effectiveDate"), isPreview: state == "preview",
                        instructionsURL: try r.required("instructionsUrl").string(), actionURL: try r.required("actionUrl").string(),
                        parameters: parameters,
                        rules: try r.member("rules").map { node throws(JSONInputError) in
                            guard case .array = node.value else { throw node.fail("expected an array of strings") }
                            return try node.elements().map { v throws(JSONInputError) in try v.string() }
                        } ?? []))
            }
            result.append(
                Edition(
                    id: id, title: try e.required("title").string(), effectiveDate: try e.date("effectiveDate"),
                    hasRequirementTypes: typed, requirements: requirements))
        }
        return Catalog(editions: result)
    }
}

extension JSONNode {
    /// A calendar day `YYYY-MM-DD`, required.
    fileprivate func date(_ key: String) throws(JSONInputError) -> CivilDate {
        let m = try required(key)
        let s = try m.string()
        guard let d = CivilDate(s) else { throw m.fail("expected a date YYYY-MM-DD, found \"\(s)\"") }
        return d
    }
}
