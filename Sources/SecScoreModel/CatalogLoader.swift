import Foundation
public import TenantSnapshot

/// Reads and validates a catalog file. Errors name the file, the JSON path
/// and what was expected, like snapshot errors.
public enum CatalogLoader {
    /// The catalog that ships with secscore (both editions of the Partner
    /// Center page).
    public static func builtIn() throws(SnapshotError) -> Catalog {
        guard let url = Bundle.module.url(forResource: "catalog", withExtension: "json"),
              let data = try? Data(contentsOf: url)
        else {
            throw SnapshotError(file: "catalog.json", path: "", "the built-in catalog is missing from the installation")
        }
        return try parse([UInt8](data), file: "built-in catalog.json")
    }

    /// Reads a catalog file (`--catalog FILE`).
    public static func load(path: String) throws(SnapshotError) -> Catalog {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SnapshotError(file: path, path: "", "cannot read the catalog file")
        }
        return try parse([UInt8](data), file: path)
    }

    /// Parses catalog JSON.
    public static func parse(_ bytes: [UInt8], file: String) throws(SnapshotError) -> Catalog {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw SnapshotError(file: file, path: "", "is not valid JSON: \(error)")
        }
        let node = CatalogNode(value: root, path: "$", file: file)
        let version = try node.int("schemaVersion")
        guard version == 1 else { throw node.fail("schemaVersion", "expected 1, found \(version)") }
        let editions = try node.array("editions")
        guard !editions.isEmpty else { throw node.fail("editions", "expected at least one edition") }
        var ids = Set<String>()
        var result: [Edition] = []
        for e in editions {
            let id = try e.string("id")
            guard ids.insert(id).inserted else { throw e.fail("id", "duplicate edition \"\(id)\"") }
            let typed = try e.bool("requirementTypes")
            var requirementIDs = Set<String>()
            var requirements: [Requirement] = []
            for r in try e.array("requirements") {
                let rid = try r.string("id")
                guard requirementIDs.insert(rid).inserted else { throw r.fail("id", "duplicate requirement \"\(rid)\" in edition \(id)") }
                let points = try r.int("maxPoints")
                guard (0...20).contains(points) else {
                    throw r.fail("maxPoints", "expected 0 to 20 (the dashboard's range), found \(points)")
                }
                var type: RequirementType?
                if typed {
                    let t = try r.string("type")
                    guard let parsed = RequirementType(rawValue: t) else {
                        throw r.fail("type", "expected \"mandatory\" or \"recommended\", found \"\(t)\"")
                    }
                    type = parsed
                } else if r.value["type"] != nil, r.value["type"] != .null {
                    throw r.fail("type", "edition \(id) has no requirement types (requirementTypes is false); remove it")
                }
                var partnerTypes = Set<PartnerProfile.PartnerType>()
                for p in try r.array("applicablePartnerTypes") {
                    let text = try p.stringValue()
                    guard let t = PartnerProfile.PartnerType(rawValue: text) else {
                        throw p.fail("expected directBill, distributor or indirectReseller, found \"\(text)\"")
                    }
                    partnerTypes.insert(t)
                }
                let state = try r.string("state")
                guard state == "active" || state == "preview" else {
                    throw r.fail("state", "expected \"active\" or \"preview\", found \"\(state)\"")
                }
                var parameters: [String: [String]] = [:]
                if let p = r.member("parameters") {
                    guard case .object(let members) = p.value else { throw p.fail("expected an object") }
                    for (name, _) in members {
                        parameters[name] = try p.array(name).map { v throws(SnapshotError) in try v.stringValue() }
                    }
                }
                requirements.append(
                    Requirement(
                        id: rid, title: try r.string("title"), description: try r.string("description"),
                        type: type, maxPoints: points, applicablePartnerTypes: partnerTypes,
                        effectiveDate: try r.date("effectiveDate"), isPreview: state == "preview",
                        instructionsURL: try r.string("instructionsUrl"), actionURL: try r.string("actionUrl"),
                        parameters: parameters,
                        rules: try r.member("rules").map { node throws(SnapshotError) in
                            guard case .array(let items) = node.value else { throw node.fail("expected an array of strings") }
                            return try items.enumerated().map { i, v throws(SnapshotError) in
                                try CatalogNode(value: v, path: "\(node.path)[\(i)]", file: file).stringValue()
                            }
                        } ?? []))
            }
            result.append(
                Edition(
                    id: id, title: try e.string("title"), effectiveDate: try e.date("effectiveDate"),
                    hasRequirementTypes: typed, requirements: requirements))
        }
        return Catalog(editions: result)
    }
}

/// Strict accessors for catalog JSON (every field required).
struct CatalogNode {
    let value: JSONValue
    let path: String
    let file: String

    func fail(_ message: String) -> SnapshotError { SnapshotError(file: file, path: path, message) }
    func fail(_ key: String, _ message: String) -> SnapshotError { SnapshotError(file: file, path: path + "." + key, message) }

    func member(_ key: String) -> CatalogNode? {
        value[key].map { CatalogNode(value: $0, path: path + "." + key, file: file) }
    }

    func required(_ key: String) throws(SnapshotError) -> CatalogNode {
        guard let m = member(key) else { throw fail(key, "is missing") }
        return m
    }

    func stringValue() throws(SnapshotError) -> String {
        guard case .string(let s) = value else { throw fail("expected a string, found \(value.kind)") }
        return s
    }

    func string(_ key: String) throws(SnapshotError) -> String { try required(key).stringValue() }

    func int(_ key: String) throws(SnapshotError) -> Int {
        let m = try required(key)
        guard case .number(let n) = m.value, let v = Int(n) else { throw m.fail("expected a whole number, found \(m.value.kind)") }
        return v
    }

    func bool(_ key: String) throws(SnapshotError) -> Bool {
        let m = try required(key)
        guard case .bool(let b) = m.value else { throw m.fail("expected true or false, found \(m.value.kind)") }
        return b
    }

    func date(_ key: String) throws(SnapshotError) -> CivilDate {
        let m = try required(key)
        let s = try m.stringValue()
        guard let d = CivilDate(s) else { throw m.fail("expected a date YYYY-MM-DD, found \"\(s)\"") }
        return d
    }

    func array(_ key: String) throws(SnapshotError) -> [CatalogNode] {
        let m = try required(key)
        guard case .array(let items) = m.value else { throw m.fail("expected an array, found \(m.value.kind)") }
        return items.enumerated().map { CatalogNode(value: $1, path: "\(m.path)[\($0)]", file: file) }
    }
}
