/// `collection.json`, which `secscore collect` writes beside the files it
/// fetched: for each snapshot file it left out, the reason (a 403 naming
/// the permission to grant, a missing licence, throttling, no API). The
/// evaluator adds that reason to "X.json is missing", so a requirement
/// whose call failed is *could not check* and says what to fix.
public struct CollectionManifest: Sendable, Hashable {
    /// Snapshot file name to the reason collect did not write it.
    public var leftOut: [String: String]

    public init(leftOut: [String: String] = [:]) { self.leftOut = leftOut }

    /// Reads `directory/collection.json`; nil when there is none or it is
    /// not the manifest collect writes (a hand-made snapshot has none, and a
    /// manifest only ever adds explanations, so a bad one is ignored).
    public static func load(directory: String) -> CollectionManifest? {
        let path = directory.hasSuffix("/") ? directory + "collection.json" : directory + "/collection.json"
        guard let bytes = try? SnapshotLoader.readBytes(path),
              let document = try? JSONParser.parse(bytes),
              case .object(let top) = document,
              let files = top.first(where: { $0.0 == "files" })?.1,
              case .object(let entries) = files
        else { return nil }
        var leftOut: [String: String] = [:]
        for (name, entry) in entries {
            guard case .object(let members) = entry,
                  members.contains(where: { $0.0 == "written" && $0.1 == .bool(false) }),
                  case .string(let reason)? = members.first(where: { $0.0 == "reason" })?.1
            else { continue }
            leftOut[name] = reason
        }
        return CollectionManifest(leftOut: leftOut)
    }
}
