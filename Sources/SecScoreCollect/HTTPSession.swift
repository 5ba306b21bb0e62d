import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// One HTTP answer, body read whole (a page is bounded by its `$top`).
package struct HTTPResult: Sendable {
    package var status: Int
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    /// Attempts beyond the first that this answer took.
    package var retries: Int

    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// The HTTP client of a collection: async-http-client with redirects off
/// (a bearer token never follows a redirect to another host), the system
/// trust store plus `--ca-file`, client-side throttling and retries.
package final class HTTPSession: Sendable {
    let client: HTTPClient
    let retry: RetryPolicy
    /// Largest body accepted (a Graph page of 999 users is a few MB).
    static let maxBody = 256 << 20
    let requestTimeout: TimeAmount

    /// - Parameter caFile: a PEM file of extra trusted roots (a private CA).
    /// - Throws: `CollectError.usage` when the CA file cannot be read.
    package init(caFile: String? = nil, retry: RetryPolicy = RetryPolicy(), requestTimeout: Double = 120) throws(CollectError) {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        if let caFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            do {
                tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(caFile))]
            } catch {
                throw CollectError(.usage, "--ca-file \(caFile): cannot read PEM certificates: \(error)")
            }
            configuration.tlsConfiguration = tls
        }
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.retry = retry
        self.requestTimeout = .milliseconds(Int64(requestTimeout * 1000))
    }

    package func shutdown() async {
        try? await client.shutdown()
    }

    /// Sends a request through `throttle`, retrying 429/503/504 and dropped
    /// connections per `retry`. `authorization` is asked for a header value
    /// before each attempt (so a refreshed token is used); on a 401 it is
    /// told once to refresh. Returns the last answer, whatever its status.
    /// - Throws: `CollectError` `.throttled` when the retry budget ran out on
    ///   a retryable status, `.transport` when the connection kept failing.
    func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        throttle: Throttle, units: Int = 1, authorization: (@Sendable (_ refresh: Bool) async throws(CollectError) -> String)?
    ) async throws(CollectError) -> HTTPResult {
        var attempt = 0
        var waited = 0.0
        var refreshed = false
        var refreshNext = false
        while true {
            attempt += 1
            try Task.checkCancellation(or: CollectError(.cancelled, "cancelled"))
            var request = HTTPClientRequest(url: url)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let authorization {
                request.headers.replaceOrAdd(name: "Authorization", value: try await authorization(refreshNext))
                refreshNext = false
            }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            do {
                try await throttle.acquire(units: units)
            } catch {
                throw CollectError(.cancelled, "cancelled")
            }
            var outcome: Result<HTTPResult, any Error>
            do {
                let response = try await client.execute(request, timeout: requestTimeout)
                let buffer = try await response.body.collect(upTo: Self.maxBody)
                outcome = .success(HTTPResult(
                    status: Int(response.status.code), headers: response.headers.map { (name: $0.name, value: $0.value) },
                    body: Array(buffer.readableBytesView), retries: attempt - 1))
            } catch {
                outcome = .failure(error)
            }
            await throttle.release()
            let retryAfter: String?
            switch outcome {
            case .success(let result):
                if result.status == 401, authorization != nil, !refreshed {
                    refreshed = true
                    refreshNext = true
                    continue
                }
                guard RetryPolicy.isRetryable(status: result.status) else { return result }
                retryAfter = result.header("Retry-After")
                if attempt >= retry.maxAttempts {
                    throw CollectError(.throttled, status: result.status, "still \(result.status) after \(attempt) attempts")
                }
            case .failure(let error):
                if error is CancellationError { throw CollectError(.cancelled, "cancelled") }
                if attempt >= retry.maxAttempts {
                    throw CollectError(.transport, "\(Self.host(url)): \(error) (after \(attempt) attempts)")
                }
                retryAfter = nil
            }
            let delay = retry.delay(attempt: attempt, retryAfter: retryAfter)
            guard waited + delay <= retry.maxTotal else {
                if case .success(let result) = outcome {
                    throw CollectError(.throttled, status: result.status,
                                       "still \(result.status) after \(attempt) attempts; the next wait (\(Int(delay)) s) would pass the \(Int(retry.maxTotal)) s retry budget")
                }
                throw CollectError(.transport, "\(Self.host(url)): the connection kept failing for \(Int(waited)) s")
            }
            waited += delay
            do {
                try await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
            } catch {
                throw CollectError(.cancelled, "cancelled")
            }
        }
    }

    static func host(_ url: String) -> String { CloudEndpoints.host(of: url) }
}

extension Task where Success == Never, Failure == Never {
    static func checkCancellation(or error: CollectError) throws(CollectError) {
        if Task.isCancelled { throw error }
    }
}
