import Foundation
import NIOHTTP1

extension Collector {
    /// perUserMfa.json: `{"value": [{"id", "perUserMfaState"}]}` for every
    /// admin, read from beta `users/{id}/authentication/requirements` in
    /// `$batch` requests of 20 (Graph's JSON batching limit). An item that
    /// failed inside a batch (429, 5xx) is retried on its own; an item that
    /// still fails leaves that admin's state unknown, which no check reads
    /// as MFA.
    func collectPerUserMfa(_ dir: String, users: [String]) async {
        let spec = CallSpec.perUserMfa
        let writer: ArrayFileWriter
        do throws(CollectError) { writer = try ArrayFileWriter(path: dir + "/" + spec.file!) } catch { await ledger.setFatal(error); return }
        var failed: [(String, CollectError)] = []
        var start = 0
        while start < users.count {
            let chunk = Array(users[start..<min(start + 20, users.count)])
            start += chunk.count
            var answered: [String: [UInt8]] = [:]
            var retryAlone: [String] = []
            do throws(CollectError) {
                (answered, retryAlone) = try await batch(chunk)
            } catch {
                if error.status == 403 || error.status == 401 {
                    writer.abandon()
                    await leftOut(spec.file!, spec, error)
                    return
                }
                retryAlone = chunk
            }
            for id in retryAlone {
                do throws(CollectError) {
                    let result = try await get(spec, url: request.endpoints.graph + spec.path(id: Self.escape(id)))
                    answered[id] = result.body
                } catch {
                    failed.append((id, error))
                }
            }
            for id in chunk {
                guard let body = answered[id] else { continue }
                let state = ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any])?["perUserMfaState"] as? String
                guard let state else { continue }
                do throws(CollectError) {
                    try writer.append(JSONText.object([("id", .string(id)), ("perUserMfaState", .string(state))]).utf8)
                } catch {
                    await ledger.setFatal(error)
                }
            }
            progress.page(spec.name, items: writer.count)
        }
        if failed.count == users.count, let (_, error) = failed.first, !users.isEmpty {
            writer.abandon()
            await leftOut(spec.file!, spec, error)
            return
        }
        do throws(CollectError) { try writer.finish() } catch { await ledger.setFatal(error) }
        await ledger.wrote(spec.file!, items: writer.count, source: spec.name + " ($batch)")
        for (id, error) in failed.prefix(20) {
            await ledger.skip("perUserMfa \(id)", why: error.code == .throttled ? "throttling" : "error", spec.reason(for: error))
        }
        progress.callFinished(spec.name, detail: "\(writer.count) of \(users.count) admins" + (failed.isEmpty ? "" : ", \(failed.count) unknown"))
    }

    /// One `POST /beta/$batch` of up to 20 GETs. Returns the bodies of the
    /// items that answered 200, and the ids to retry alone. A 404 item (the
    /// user has no requirements object) is neither.
    func batch(_ ids: [String]) async throws(CollectError) -> ([String: [UInt8]], [String]) {
        let spec = CallSpec.perUserMfa
        let requests = ids.enumerated().map { i, id in
            JSONText.object([("id", .string(String(i))), ("method", .string("GET")),
                             ("url", .string("/users/\(Self.escape(id))/authentication/requirements"))])
        }
        let body = JSONText.object([("requests", .array(requests))]).utf8
        let tokens = self.tokens
        let scope = request.endpoints.graphScope
        let result: HTTPResult
        do throws(CollectError) {
            // Each request inside a batch is throttled on its own (Graph
            // JSON batching docs), so the batch spends one unit per item.
            result = try await session.send(
                .POST, request.endpoints.graph + "/beta/$batch",
                headers: [("Content-Type", "application/json"), ("Accept", "application/json"), ("Prefer", "include-unknown-enum-members")],
                body: body, throttle: throttle(spec), units: ids.count,
                authorization: { refresh throws(CollectError) in try await tokens.authorization(scope: scope, refresh: refresh) })
        } catch {
            await ledger.fail(spec.name, spec.reason(for: error), status: error.status)
            throw error
        }
        await ledger.record(spec.name, status: result.status, retries: result.retries)
        guard result.status == 200 else {
            let error = CollectError(.http, status: result.status, Self.graphError(result))
            await ledger.fail(spec.name, spec.reason(for: error), status: result.status)
            throw error
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(result.body))) as? [String: Any] ?? [:]
        var answered: [String: [UInt8]] = [:]
        var retry: [String] = []
        var seen = Set<Int>()
        var retriesInside = 0
        for response in object["responses"] as? [[String: Any]] ?? [] {
            guard let key = response["id"] as? String, let i = Int(key), i >= 0, i < ids.count else { continue }
            seen.insert(i)
            let status = (response["status"] as? Int) ?? Int(response["status"] as? String ?? "") ?? 0
            if status == 200, let b = response["body"], let data = try? JSONSerialization.data(withJSONObject: b) {
                answered[ids[i]] = Array(data)
            } else if status == 404 {
                continue
            } else {
                retry.append(ids[i])
                retriesInside += 1
            }
        }
        for i in ids.indices where !seen.contains(i) { retry.append(ids[i]) }
        if retriesInside > 0 { await ledger.noteBatchRetries(spec.name, retriesInside) }
        return (answered, retry)
    }
}

extension Ledger {
    func noteBatchRetries(_ name: String, _ n: Int) {
        calls[name]?.retries += n
    }
}
