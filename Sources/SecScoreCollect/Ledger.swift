import Foundation

/// What collect did, for `collection.json`: every call with its status,
/// requests, pages, items and retries; every snapshot file written or left
/// out with the reason; what was skipped and why. Never holds a token.
package actor Ledger {
    package struct Call: Sendable {
        package var name: String
        package var requests = 0
        package var pages = 0
        package var items = 0
        package var retries = 0
        /// The last HTTP status seen (0: none).
        package var status = 0
        package var failures = 0
        package var error: String?
    }

    package struct FileEntry: Sendable {
        package var written: Bool
        package var items: Int?
        package var reason: String?
        package var source: String?
    }

    package struct Skip: Sendable {
        package var what: String
        /// licence, permission, throttling, config, notFound, noApi
        package var why: String
        package var detail: String
    }

    var calls: [String: Call] = [:]
    private var callOrder: [String] = []
    private(set) var files: [String: FileEntry] = [:]
    private(set) var skipped: [Skip] = []
    private(set) var fatal: CollectError?
    /// Microsoft's own verdicts (partner security score), labelled as such.
    var microsoftScore: JSONText?

    package init() {}

    func record(_ name: String, status: Int, retries: Int, pages: Int = 0, items: Int = 0) {
        if calls[name] == nil {
            calls[name] = Call(name: name)
            callOrder.append(name)
        }
        calls[name]!.requests += 1 + retries
        calls[name]!.retries += retries
        calls[name]!.pages += pages
        calls[name]!.items += items
        calls[name]!.status = status
    }

    func fail(_ name: String, _ reason: String, status: Int?) {
        if calls[name] == nil {
            calls[name] = Call(name: name)
            callOrder.append(name)
        }
        calls[name]!.failures += 1
        if let status { calls[name]!.status = status }
        if calls[name]!.error == nil { calls[name]!.error = reason }
    }

    func wrote(_ file: String, items: Int?, source: String) {
        files[file] = FileEntry(written: true, items: items, reason: nil, source: source)
    }

    func leftOut(_ file: String, _ reason: String) {
        if let existing = files[file], !existing.written { return }  // the first reason is the cause
        files[file] = FileEntry(written: false, items: nil, reason: reason, source: nil)
    }

    func skip(_ what: String, why: String, _ detail: String) {
        skipped.append(Skip(what: what, why: why, detail: detail))
    }

    func setFatal(_ error: CollectError) {
        if fatal == nil { fatal = error }
    }

    func setMicrosoftScore(_ score: JSONText) { microsoftScore = score }

    package var orderedCalls: [Call] { callOrder.compactMap { calls[$0] } }

    /// collection.json (schemaVersion 1; docs/COLLECT.md describes every key).
    func manifest(tenant: String, started: Date, finished: Date, toolVersion: String, signIn: String, endpoints: CloudEndpoints) -> [UInt8] {
        let iso = ISO8601DateFormatter()
        var members: [(String, JSONText)] = [
            ("schemaVersion", .number(1)),
            ("tool", .string("secscore collect")),
            ("toolVersion", .string(toolVersion)),
            ("tenantId", .string(tenant)),
            ("startedAt", .string(iso.string(from: started))),
            ("finishedAt", .string(iso.string(from: finished))),
            ("signIn", .string(signIn)),
            ("endpoints", .object([
                ("graph", .string(endpoints.graph)), ("partnerCenter", .string(endpoints.partnerCenter)),
                ("authority", .string(endpoints.authority)),
            ])),
        ]
        members.append(("calls", .array(orderedCalls.map { c -> JSONText in
            var o: [(String, JSONText)] = [
                ("name", .string(c.name)), ("status", .number(Double(c.status))), ("requests", .number(Double(c.requests))),
                ("pages", .number(Double(c.pages))), ("items", .number(Double(c.items))), ("retries", .number(Double(c.retries))),
                ("failures", .number(Double(c.failures))),
            ]
            if let spec = CallSpec.all.first(where: { $0.name == c.name }) {
                o.append(("permission", .string(spec.permission)))
                if let licence = spec.licence { o.append(("licence", .string(licence))) }
            }
            if let e = c.error { o.append(("error", .string(e))) }
            return .object(o)
        })))
        members.append(("files", .object(files.keys.sorted().map { name -> (String, JSONText) in
            let f = files[name]!
            var o: [(String, JSONText)] = [("written", .bool(f.written))]
            if let items = f.items { o.append(("items", .number(Double(items)))) }
            if let source = f.source { o.append(("source", .string(source))) }
            if let reason = f.reason { o.append(("reason", .string(reason))) }
            return (name, .object(o))
        })))
        members.append(("skipped", .array(skipped.map {
            .object([("what", .string($0.what)), ("why", .string($0.why)), ("detail", .string($0.detail))])
        })))
        if let microsoftScore { members.append(("microsoftSecurityScore", microsoftScore)) }
        var out = JSONText.object(members).utf8
        out.append(0x0A)
        return out
    }
}

extension Ledger {
    /// `record` counts a request per call; a page recorded after its
    /// request has already been counted takes that count back.
    func undoRequest(_ name: String) {
        calls[name]?.requests -= 1
    }
}
