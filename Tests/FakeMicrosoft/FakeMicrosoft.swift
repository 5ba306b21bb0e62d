import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SecScoreCollect
import X509
import _CryptoExtras

/// A loopback Microsoft Graph (v1.0 and beta), Partner Center and identity
/// platform token endpoint for the collect tests and benchmark. It pages
/// every collection, verifies client secrets and signed client assertions,
/// issues tokens and checks them on every call, enforces the published
/// throttling limits, and answers faults on demand. It listens on
/// 127.0.0.1 only.
public final class FakeMicrosoft: Sendable {
    public struct Options: Sendable {
        public var clientID = "11111111-2222-3333-4444-555555555555"
        public var tenantID = "99999999-8888-7777-6666-555555555555"
        public var clientSecret: String? = "fake-client-secret"
        /// The certificate (PEM) whose key may sign client assertions.
        public var certificatePEM: String?
        /// A token `--token-command` may present as it is.
        public var staticToken: String?
        /// Items per page unless the client asks for fewer with `$top`/`size`.
        public var pageSize = 100
        public var enforceLimits = true
        /// Device code polls answered `authorization_pending` before the person "signs in".
        public var devicePendingPolls = 1
        public init() {}
    }

    let tenant: FakeTenant
    let options: Options
    let limits: FakeLimits
    let state = FakeState()

    public init(tenant: FakeTenant, options: Options = Options()) {
        self.tenant = tenant
        self.options = options
        limits = FakeLimits(enforce: options.enforceLimits)
    }

    /// Queues `fault` for the next `times` requests of `call`.
    public func inject(_ call: String, _ fault: FakeFault, times: Int = 1) {
        state.inject(call, fault, times: times)
    }

    public var stats: FakeStats { state.stats }

    /// Starts listening on 127.0.0.1 (a free port) and returns the base URL.
    public func start() async throws -> String {
        let port = PortBox()
        let responder = CallbackResponder<BasicRequestContext> { request, context in
            try await self.respond(request, context)
        }
        let app = Application(
            responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) },
            logger: { var l = Logger(label: "fake-microsoft"); l.logLevel = .critical; return l }())
        let task = Task { try await app.run() }
        state.setServer(task)
        for _ in 0..<500 {
            if let p = port.value, p > 0 {
                let base = "http://127.0.0.1:\(p)"
                state.setBase(base)
                return base
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw FakeError("the fake did not start")
    }

    public func stop() async {
        state.serverTask?.cancel()
        _ = await state.serverTask?.result
    }

    // MARK: Dispatch

    func respond(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        var request = request
        let path = request.uri.path
        let query = request.uri.query ?? ""
        if path.hasSuffix("/oauth2/v2.0/token") || path.hasSuffix("/oauth2/v2.0/devicecode") {
            let body = try await request.collectBody(upTo: 16 << 20)
            return token(path: path, form: Self.form(String(buffer: body)))
        }
        let service: String
        if path.hasPrefix("/v1.0/") || path.hasPrefix("/beta/") { service = "graph" } else if path.hasPrefix("/v1/") { service = "partnerCenter" } else {
            return json(404, Self.graphError("NotFound", "no such path \(path)"))
        }
        guard let auth = request.headers[.authorization], auth.hasPrefix("Bearer "),
              state.tokenValid(String(auth.dropFirst(7)), audience: service, staticToken: options.staticToken)
        else {
            return json(401, Self.graphError("InvalidAuthenticationToken", "Access token is empty or invalid."))
        }
        let name = Self.callName(path: path, query: query, method: request.method)
        let cls = Self.throttleClass(path: path)
        if let fault = state.takeFault(name) {
            switch fault {
            case .status(let status, let code): return json(status, Self.graphError(code, "injected \(status)"))
            case .throttled(let seconds): return throttled(seconds)
            case .unavailable: return json(503, Self.graphError("serviceNotAvailable", "injected 503"))
            case .slow(let seconds): try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            }
        }
        var batchBody: [UInt8]?
        var units = Self.units(path: path, query: query)
        if path == "/beta/$batch" {
            let body = try await request.collectBody(upTo: 16 << 20)
            batchBody = Array(buffer: body)
            let requests = ((try? JSONSerialization.jsonObject(with: Data(batchBody!))) as? [String: Any])?["requests"] as? [Any]
            units = max(1, requests?.count ?? 1)
        }
        let (ok, retryAfter) = limits.admit(cls, units: units)
        guard ok else {
            state.violation(cls)
            return throttled(retryAfter)
        }
        state.enter(cls)
        defer { state.leave(cls) }
        state.count(name)
        if let batchBody { return batch(batchBody) }
        return service == "graph" ? graph(path: path, query: query) : partnerCenter(path: path, query: query, request: request)
    }

    // MARK: Responses

    func json(_ status: Int, _ body: [UInt8], headers: [(String, String)] = []) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (k, v) in headers { fields[HTTPField.Name(k)!] = v }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    func throttled(_ retryAfter: Int?) -> Response {
        json(429, Self.graphError("TooManyRequests", "Too many requests"), headers: retryAfter.map { [("Retry-After", String($0))] } ?? [])
    }

    static func graphError(_ code: String, _ message: String) -> [UInt8] {
        JSONText.object([("error", .object([("code", .string(code)), ("message", .string(message))]))]).utf8
    }

    /// A Graph collection page: `{"@odata.context", "value", "@odata.nextLink"?}`.
    func page(_ items: [[UInt8]], path: String, query: String, context: String) -> Response {
        let params = Self.query(query)
        let top = params["$top"].flatMap(Int.init) ?? options.pageSize
        let size = max(1, min(top, options.pageSize, 999))
        let skip = params["$skiptoken"].flatMap(Int.init) ?? 0
        let slice = items.dropFirst(skip).prefix(size)
        var out = Array("{\"@odata.context\":\"\(state.base)/v1.0/$metadata#\(context)\",\"value\":[".utf8)
        for (i, item) in slice.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += item
        }
        out += Array("]".utf8)
        if skip + slice.count < items.count {
            var rest = query.split(separator: "&").filter { !$0.hasPrefix("$skiptoken=") }.map(String.init)
            rest.append("$skiptoken=\(skip + slice.count)")
            out += Array(",\"@odata.nextLink\":".utf8) + JSONText.string(state.base + path + "?" + rest.joined(separator: "&")).utf8
        }
        out += Array("}".utf8)
        return json(200, out)
    }

    static func form(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            if kv.count == 2 { out[kv[0]] = kv[1] }
        }
        return out
    }

    static func query(_ text: String) -> [String: String] { form(text) }
}

struct FakeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port: Int?
    func set(_ p: Int) { lock.withLock { port = p } }
    var value: Int? { lock.withLock { port } }
}
