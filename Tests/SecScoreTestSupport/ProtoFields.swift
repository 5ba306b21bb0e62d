// The fields of a .proto file's messages, read from its text: how tests hold
// hand-written code (the host's byte views, the Swift SDK's finding encoder)
// to the contract in Protos/.

/// A field as declared: `[repeated] type name = number;`.
public struct ProtoField: Equatable, Sendable {
    public var label: String, type: String, name: String, number: Int

    public init(label: String, type: String, name: String, number: Int) {
        self.label = label
        self.type = type
        self.name = name
        self.number = number
    }
}

/// The fields of each top-level message of `proto` (a .proto file's text),
/// by message name, in the order declared.
public func protoMessages(in proto: String) throws -> [String: [ProtoField]] {
    var out: [String: [ProtoField]] = [:]
    let message = try Regex(#"(?m)^message (\w+) \{\n((?:.*\n)*?)\}"#)
    let field = try Regex(#"^\s*(repeated )?([\w.]+) (\w+) = (\d+);"#)
    for match in proto.matches(of: message) {
        let name = String(match.output[1].substring!)
        let body = String(match.output[2].substring!)
        out[name] = body.split(separator: "\n").compactMap { line in
            guard let m = String(line).firstMatch(of: field) else { return nil }
            return ProtoField(label: m.output[1].substring.map(String.init) ?? "", type: String(m.output[2].substring!),
                              name: String(m.output[3].substring!), number: Int(m.output[4].substring!)!)
        }
    }
    return out
}
