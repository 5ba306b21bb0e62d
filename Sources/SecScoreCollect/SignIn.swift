import Foundation
import NIOHTTP1

/// A secret that never prints itself: `description` is redacted, so a
/// secret cannot reach a log, an error or the manifest by accident.
package struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let value: String
    package init(_ value: String) { self.value = value }
    package var description: String { "<redacted>" }
    package var debugDescription: String { "<redacted>" }
}

/// How collect signs in (docs/COLLECT.md, "Sign-in").
package enum SignInMethod: Sendable {
    /// App-only: OAuth 2.0 client credentials with a client secret.
    case clientSecret(tenant: String, clientID: String, secret: Secret)
    /// App-only: client credentials with a signed client assertion.
    case certificate(tenant: String, clientID: String, certificate: ClientCertificate)
    /// Delegated: the device code flow (a person signs in with MFA on another device).
    case deviceCode(tenant: String, clientID: String)
    /// A command that prints an access token for the scope in
    /// `SECSCORE_TOKEN_SCOPE` (a bare token, or JSON with `accessToken`, as
    /// `az account get-access-token` prints it).
    case tokenCommand(String)

    package var name: String {
        switch self {
        case .clientSecret: "client secret"
        case .certificate: "certificate"
        case .deviceCode: "device code"
        case .tokenCommand: "token command"
        }
    }
}

/// Obtains and caches access tokens per scope. Tokens live only in memory.
package actor TokenProvider {
    let method: SignInMethod
    let endpoints: CloudEndpoints
    let session: HTTPSession
    let throttle = Throttle(.signIn)
    /// Where the device code flow tells the person what to do (stderr).
    let prompt: @Sendable (String) -> Void
    private var cache: [String: (token: Secret, expires: Date)] = [:]
    private var refreshToken: Secret?
    private var pending: [String: Task<Secret, any Error>] = [:]

    package init(method: SignInMethod, endpoints: CloudEndpoints, session: HTTPSession, prompt: @escaping @Sendable (String) -> Void) {
        self.method = method
        self.endpoints = endpoints
        self.session = session
        self.prompt = prompt
    }

    /// The `Authorization` header value for `scope`; `refresh` drops a cached token first.
    package func authorization(scope: String, refresh: Bool = false) async throws(CollectError) -> String {
        if refresh { cache[scope] = nil }
        if let hit = cache[scope], hit.expires > Date() { return "Bearer " + hit.token.value }
        let task: Task<Secret, any Error>
        if let running = pending[scope] {
            task = running
        } else {
            task = Task { try await self.fetch(scope: scope) }
            pending[scope] = task
        }
        do {
            let token = try await task.value
            pending[scope] = nil
            return "Bearer " + token.value
        } catch let error as CollectError {
            pending[scope] = nil
            throw error
        } catch {
            pending[scope] = nil
            throw CollectError(.signIn, "\(error)")
        }
    }

    var tokenEndpoint: String { endpoints.authority + "/" + tenant + "/oauth2/v2.0/token" }

    var tenant: String {
        switch method {
        case .clientSecret(let t, _, _), .certificate(let t, _, _), .deviceCode(let t, _): t
        case .tokenCommand: "organizations"
        }
    }

    private func fetch(scope: String) async throws(CollectError) -> Secret {
        switch method {
        case .clientSecret(_, let clientID, let secret):
            return try await tokenRequest(scope: scope, [
                ("client_id", clientID), ("scope", scope), ("grant_type", "client_credentials"), ("client_secret", secret.value),
            ])
        case .certificate(_, let clientID, let certificate):
            let assertion = try certificate.assertion(clientID: clientID, audience: tokenEndpoint)
            return try await tokenRequest(scope: scope, [
                ("client_id", clientID), ("scope", scope), ("grant_type", "client_credentials"),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", assertion),
            ])
        case .deviceCode(_, let clientID):
            if let refreshToken {
                return try await tokenRequest(scope: scope, [
                    ("client_id", clientID), ("scope", scope + " offline_access"), ("grant_type", "refresh_token"),
                    ("refresh_token", refreshToken.value),
                ])
            }
            return try await deviceCode(clientID: clientID, scope: scope)
        case .tokenCommand(let command):
            return try runTokenCommand(command, scope: scope)
        }
    }

    /// POSTs a form to the token endpoint and caches the answer.
    private func tokenRequest(scope: String, _ form: [(String, String)]) async throws(CollectError) -> Secret {
        let result = try await session.send(
            .POST, tokenEndpoint, headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Array(Self.formEncode(form).utf8), throttle: throttle, authorization: nil)
        return try accept(result, scope: scope)
    }

    private func accept(_ result: HTTPResult, scope: String) throws(CollectError) -> Secret {
        let object = (try? JSONSerialization.jsonObject(with: Data(result.body))) as? [String: Any] ?? [:]
        guard result.status == 200, let token = object["access_token"] as? String, !token.isEmpty else {
            let code = object["error"] as? String ?? "HTTP \(result.status)"
            let text = (object["error_description"] as? String).map { ": " + Self.firstLine($0) } ?? ""
            throw CollectError(.signIn, status: result.status, "sign-in for \(scope) refused (\(code))\(text)")
        }
        let lifetime = (object["expires_in"] as? Double) ?? Double(object["expires_in"] as? String ?? "") ?? 3600
        if let refresh = object["refresh_token"] as? String { refreshToken = Secret(refresh) }
        // Renew five minutes early: a long page run must not outlive its token.
        cache[scope] = (Secret(token), Date().addingTimeInterval(max(60, lifetime - 300)))
        return Secret(token)
    }

    /// The device authorization grant (RFC 8628) as the Microsoft identity
    /// platform documents it ("OAuth 2.0 device authorization grant").
    private func deviceCode(clientID: String, scope: String) async throws(CollectError) -> Secret {
        let start = try await session.send(
            .POST, endpoints.authority + "/" + tenant + "/oauth2/v2.0/devicecode",
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Array(Self.formEncode([("client_id", clientID), ("scope", scope + " offline_access")]).utf8),
            throttle: throttle, authorization: nil)
        let object = (try? JSONSerialization.jsonObject(with: Data(start.body))) as? [String: Any] ?? [:]
        guard start.status == 200, let device = object["device_code"] as? String else {
            let code = object["error"] as? String ?? "HTTP \(start.status)"
            throw CollectError(.signIn, status: start.status, "device code sign-in could not start (\(code))")
        }
        let message = object["message"] as? String
            ?? "To sign in, open \(object["verification_uri"] as? String ?? "the sign-in page") and enter the code \(object["user_code"] as? String ?? "")."
        prompt(message)
        var interval = (object["interval"] as? Double) ?? 5
        let deadline = Date().addingTimeInterval((object["expires_in"] as? Double) ?? 900)
        while Date() < deadline {
            do { try await Task.sleep(for: .milliseconds(Int64(interval * 1000))) } catch { throw CollectError(.cancelled, "cancelled") }
            let poll = try await session.send(
                .POST, tokenEndpoint, headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                body: Array(Self.formEncode([
                    ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("client_id", clientID), ("device_code", device),
                ]).utf8),
                throttle: throttle, authorization: nil)
            if poll.status == 200 { return try accept(poll, scope: scope) }
            let answer = (try? JSONSerialization.jsonObject(with: Data(poll.body))) as? [String: Any] ?? [:]
            switch answer["error"] as? String {
            case "authorization_pending": continue
            case "slow_down": interval += 5
            default: return try accept(poll, scope: scope)
            }
        }
        throw CollectError(.signIn, "the device code expired before anyone signed in")
    }

    private func runTokenCommand(_ command: String, scope: String) throws(CollectError) -> Secret {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        environment["SECSCORE_TOKEN_SCOPE"] = scope
        environment["SECSCORE_TOKEN_RESOURCE"] = String(scope.dropLast("/.default".count))
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        do { try process.run() } catch { throw CollectError(.signIn, "--token-command could not start: \(error)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CollectError(.signIn, "--token-command exited with status \(process.terminationStatus) for \(scope)")
        }
        var text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("{") {
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            text = (object["accessToken"] as? String) ?? (object["access_token"] as? String) ?? ""
        }
        guard !text.isEmpty, !text.contains(where: { $0.isWhitespace }) else {
            throw CollectError(.signIn, "--token-command printed no token for \(scope) (expected the token alone, or JSON with accessToken)")
        }
        // Reused for ten minutes, then asked again (a 401 asks at once).
        cache[scope] = (Secret(text), Date().addingTimeInterval(600))
        return Secret(text)
    }

    static func formEncode(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { k, v in
            (k.addingPercentEncoding(withAllowedCharacters: allowed) ?? k) + "=" + (v.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }.joined(separator: "&")
    }

    static func firstLine(_ s: String) -> String {
        String(s.split(separator: "\n", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces)
    }
}
