import Foundation
import NIOHTTP1

/// One item of a page: the page's bytes and the item's range in them.
struct PageItem {
    let bytes: [UInt8]
    let range: Range<Int>
    var raw: ArraySlice<UInt8> { bytes[range] }
    /// The item parsed (small objects only).
    var object: [String: Any] { (JSONScan.object(bytes, range) as? [String: Any]) ?? [:] }
}

extension Collector {
    func throttle(_ spec: CallSpec) -> Throttle { throttles[spec.limit.name]! }

    func base(_ spec: CallSpec) -> String {
        spec.service == .graph ? request.endpoints.graph : request.endpoints.partnerCenter
    }

    func scope(_ spec: CallSpec) -> String {
        spec.service == .graph ? request.endpoints.graphScope : request.endpoints.partnerCenterScope
    }

    func headers(_ spec: CallSpec, url: String) -> [(String, String)] {
        var h: [(String, String)] = [("Accept", "application/json")]
        if spec.service == .graph, url.contains("/beta/") {
            // Graph beta adds enum members over time; ask for them instead of "unknownFutureValue".
            h.append(("Prefer", "include-unknown-enum-members"))
        }
        if spec.service == .partnerCenter {
            h.append(("MS-RequestId", UUID().uuidString.lowercased()))
            h.append(("MS-CorrelationId", UUID().uuidString.lowercased()))
        }
        return h
    }

    /// One GET with the spec's throttle and token; records it in the ledger.
    /// - Throws: `CollectError` `.http` with the status for a non-2xx answer.
    func get(_ spec: CallSpec, url: String, extraHeaders: [(String, String)] = []) async throws(CollectError) -> HTTPResult {
        let tokens = self.tokens
        let scope = self.scope(spec)
        let result: HTTPResult
        do throws(CollectError) {
            result = try await session.send(
                .GET, url, headers: headers(spec, url: url) + extraHeaders, throttle: throttle(spec), units: spec.units,
                authorization: { refresh throws(CollectError) in try await tokens.authorization(scope: scope, refresh: refresh) })
        } catch {
            await ledger.fail(spec.name, spec.reason(for: error), status: error.status)
            throw error
        }
        await ledger.record(spec.name, status: result.status, retries: result.retries)
        guard (200..<300).contains(result.status) else {
            let error = CollectError(.http, status: result.status, Self.graphError(result))
            await ledger.fail(spec.name, spec.reason(for: error), status: result.status)
            throw error
        }
        return result
    }

    /// Every page of a Graph collection (following `@odata.nextLink`) or a
    /// Partner Center one (following `links.next` with its continuation
    /// token header), each item handed to `each` as it arrives.
    /// - Returns: the number of items.
    @discardableResult
    func pages(_ spec: CallSpec, path: String, each: (PageItem) async throws(CollectError) -> Void) async throws(CollectError) -> Int {
        var url: String? = base(spec) + path
        var extra: [(String, String)] = []
        var count = 0
        while let next = url {
            let result = try await get(spec, url: next, extraHeaders: extra)
            let body = result.body
            let members = try JSONScan.members(body)
            let listKey = spec.service == .graph ? "value" : "items"
            guard let list = members[listKey] else {
                throw CollectError(.badResponse, "\(spec.name): the answer has no \"\(listKey)\" array")
            }
            let items = try JSONScan.elements(body, list)
            for range in items { try await each(PageItem(bytes: body, range: range)) }
            count += items.count
            await ledger.record(spec.name, status: result.status, retries: 0, pages: 1, items: items.count)
            await ledger.undoRequest(spec.name)
            progress.page(spec.name, items: count)
            (url, extra) = try nextPage(spec, body: body, members: members)
        }
        return count
    }

    /// The next page's URL (and headers), refusing one on another host: a
    /// token is only ever sent to the configured endpoints.
    private func nextPage(_ spec: CallSpec, body: [UInt8], members: [String: Range<Int>]) throws(CollectError) -> (String?, [(String, String)]) {
        if spec.service == .graph {
            guard let r = members["@odata.nextLink"], let link = JSONScan.string(body, r) else { return (nil, []) }
            guard link.hasPrefix(request.endpoints.graph + "/") else {
                throw CollectError(.badResponse, "\(spec.name): @odata.nextLink points away from \(request.endpoints.graph); refused")
            }
            return (link, [])
        }
        guard let r = members["links"], let links = JSONScan.object(body, r) as? [String: Any],
              let next = links["next"] as? [String: Any], let uri = next["uri"] as? String, !uri.isEmpty
        else { return (nil, []) }
        var headers: [(String, String)] = []
        for h in next["headers"] as? [[String: Any]] ?? [] {
            if let k = h["key"] as? String, let v = h["value"] as? String { headers.append((k, v)) }
        }
        let pc = request.endpoints.partnerCenter
        let url: String
        if uri.hasPrefix("http://") || uri.hasPrefix("https://") {
            guard uri.hasPrefix(pc + "/") else { throw CollectError(.badResponse, "\(spec.name): next link points away from \(pc); refused") }
            url = uri
        } else {
            url = pc + (uri.hasPrefix("/v1/") ? uri : "/v1" + (uri.hasPrefix("/") ? uri : "/" + uri))
        }
        return (url, headers)
    }

    /// Writes every page of a collection into `file`; on failure the file
    /// is removed and collection.json says why.
    /// - Returns: true when the file was written whole.
    @discardableResult
    func collectFile(_ spec: CallSpec, into dir: String, file: String? = nil, path: String? = nil,
                     each: ((PageItem) async throws(CollectError) -> Void)? = nil) async -> Bool {
        let name = file ?? spec.file!
        let writer: ArrayFileWriter
        do throws(CollectError) { writer = try ArrayFileWriter(path: dir + "/" + name) } catch { await ledger.setFatal(error); return false }
        do throws(CollectError) {
            let n = try await pages(spec, path: path ?? spec.path) { item throws(CollectError) in
                try writer.append(item.raw)
                if let each { try await each(item) }
            }
            try writer.finish()
            await ledger.wrote(name, items: n, source: spec.name)
            progress.callFinished(spec.name, detail: "\(n) items")
            return true
        } catch {
            writer.abandon()
            if spec.emptyWithoutLicence, error.status == 400 || error.status == 403, Self.isLicenceError(error) {
                // Entra ID P2 is what PIM needs: without it nothing can be
                // eligible, so the file is written empty and labelled.
                do throws(CollectError) {
                    try writeFile(dir + "/" + name, Array("{\"value\": []}\n".utf8))
                } catch {
                    await ledger.setFatal(error)
                }
                let why = "no \(spec.licence ?? "licence") in the tenant (\(error.status!) on \(spec.name): \(error.description)); nothing can be eligible without it"
                await ledger.wrote(name, items: 0, source: why)
                await ledger.skip(spec.name, why: "licence", why)
                progress.callFinished(spec.name, detail: "no licence: written empty")
                return true
            }
            await leftOut(name, spec, error)
            return false
        }
    }

    /// Graph's answer when the tenant lacks the licence a feature needs
    /// (e.g. `AadPremiumLicenseRequired`), as opposed to a missing permission.
    static func isLicenceError(_ error: CollectError) -> Bool {
        let text = error.description.lowercased()
        return text.contains("license") || text.contains("licence") || text.contains("premium")
    }

    func leftOut(_ file: String, _ spec: CallSpec, _ error: CollectError) async {
        if error.code == .output { await ledger.setFatal(error) }
        let reason = spec.reason(for: error)
        await ledger.leftOut(file, reason)
        if error.status == 403 { await ledger.skip(spec.name, why: "permission", reason) }
        else if error.status == 400, spec.licence != nil { await ledger.skip(spec.name, why: "licence", reason) }
        else if error.code == .throttled { await ledger.skip(spec.name, why: "throttling", reason) }
        progress.callFinished(spec.name, detail: "failed: " + reason)
    }

    /// Graph's `{"error": {"code", "message"}}` or Partner Center's
    /// `{"code", "description"}` as one line (never echoes a header).
    static func graphError(_ result: HTTPResult) -> String {
        let object = (try? JSONSerialization.jsonObject(with: Data(result.body))) as? [String: Any] ?? [:]
        if let e = object["error"] as? [String: Any] {
            let code = e["code"] as? String ?? ""
            let message = (e["message"] as? String ?? "").split(separator: "\n").first.map(String.init) ?? ""
            return [code, message].filter { !$0.isEmpty }.joined(separator: ": ")
        }
        if let d = object["description"] as? String { return d }
        if let m = object["message"] as? String { return m }
        return "HTTP \(result.status)"
    }
}
