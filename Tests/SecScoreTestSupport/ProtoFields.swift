// The fields of a .proto file's messages, read from its text: how tests hold
// hand-written code (the host's byte views, the Swift SDK's finding encoder)
// to the contract in Protos/.

import Foundation

/// A field as declared: `[repeated|optional] type name = number [options];`.
public struct ProtoField: Equatable, Sendable {
    public var label: String, type: String, name: String, number: Int

    public init(label: String, type: String, name: String, number: Int) {
        self.label = label
        self.type = type
        self.name = name
        self.number = number
    }
}

/// A line of a message that `protoMessages` cannot read.
public struct ProtoFieldsError: Error, CustomStringConvertible {
    public var message: String, line: String
    public var description: String { "message \(message): cannot read \"\(line)\"" }
}

/// The fields of each top-level message of `proto` (a .proto file's text),
/// by message name, in the order declared. Fields of a `oneof` belong to
/// their message; those of a nested message or enum do not.
/// - Throws: `ProtoFieldsError` for a line in a message that is neither a
///   field, a block, `reserved`, `option` nor a comment: a reader that
///   skipped it would miss a field, and the tests that compare hand-written
///   code with these fields would pass without it.
public func protoMessages(in proto: String) throws -> [String: [ProtoField]] {
    var out: [String: [ProtoField]] = [:]
    let message = try Regex(#"(?m)^message (\w+) \{\n((?:.*\n)*?)\}"#)
    let field = try Regex(#"^(repeated |optional )?([\w.]+|map<[\w.]+, ?[\w.]+>) (\w+) = (\d+)( \[[^\]]*\])?;$"#)
    let opening = try Regex(#"^(message|enum|oneof) \w+ \{$"#)
    let ignored = try Regex(#"^(reserved |option |//|$)"#)
    for match in proto.matches(of: message) {
        let name = String(match.output[1].substring!)
        var fields: [ProtoField] = []
        // What each open block is: fields inside a nested message or enum
        // are not this message's.
        var blocks: [Substring] = []
        for raw in match.output[2].substring!.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = raw.trimmingPrefix(while: \.isWhitespace)
            if let comment = line.firstRange(of: "//"), comment.lowerBound != line.startIndex {
                line = line[..<comment.lowerBound]
            }
            while line.last?.isWhitespace == true { line.removeLast() }
            if let open = line.firstMatch(of: opening) {
                blocks.append(open.output[1].substring!)
            } else if line == "}" {
                guard blocks.popLast() != nil else { throw ProtoFieldsError(message: name, line: String(raw)) }
            } else if blocks.contains(where: { $0 != "oneof" }) {
                continue  // a nested message's or enum's own lines
            } else if let m = line.firstMatch(of: field) {
                fields.append(ProtoField(label: m.output[1].substring.map { String($0.dropLast()) } ?? "",
                                         type: String(m.output[2].substring!), name: String(m.output[3].substring!),
                                         number: Int(m.output[4].substring!)!))
            } else if line.firstMatch(of: ignored) == nil {
                throw ProtoFieldsError(message: name, line: String(raw))
            }
        }
        out[name] = fields
    }
    return out
}

/// The messages of several .proto files of this repository (paths relative
/// to it), by name; the files must not share a message name.
public func protoMessages(inFiles files: [String]) throws -> [String: [ProtoField]] {
    var all: [String: [ProtoField]] = [:]
    for file in files {
        try all.merge(protoMessages(in: String(contentsOfFile: fixture(file), encoding: .utf8))) { a, _ in
            preconditionFailure("\(file) declares a message another file declares too: \(a)")
        }
    }
    return all
}

/// The message type of `field` by its bare name, or nil when it is a
/// scalar, a string or an enum (not a message of `messages`).
public func messageType(of field: ProtoField, in messages: [String: [ProtoField]]) -> String? {
    let name = String(field.type.split(separator: ".").last ?? "")
    return messages[name] == nil ? nil : name
}

/// Every message reachable from `root` through its fields, `root` included.
public func messages(reachableFrom root: String, in messages: [String: [ProtoField]]) -> Set<String> {
    var seen: Set<String> = [], queue = [root]
    while let m = queue.popLast() {
        guard seen.insert(m).inserted else { continue }
        queue += (messages[m] ?? []).compactMap { messageType(of: $0, in: messages) }
    }
    return seen
}
