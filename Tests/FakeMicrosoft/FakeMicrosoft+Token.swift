import Crypto
import Foundation
import SecScoreCollect
import SwiftASN1
import X509
import _CryptoExtras
import Hummingbird

extension FakeMicrosoft {
    /// The identity platform's `/{tenant}/oauth2/v2.0/token` and `/devicecode`.
    func token(path: String, form: [String: String]) -> Response {
        if let fault = state.takeFault("token") {
            if case .status(let status, let code) = fault {
                return json(status, JSONText.object([("error", .string(code)), ("error_description", .string("AADSTS7000215: injected"))]).utf8)
            }
        }
        let tokenURL = state.base + path.replacingOccurrences(of: "/devicecode", with: "/token")
        guard path.hasPrefix("/\(options.tenantID)/") || path.hasPrefix("/organizations/") else {
            return oauthError(400, "invalid_request", "AADSTS90002: Tenant not found.")
        }
        guard form["client_id"] == options.clientID else {
            return oauthError(400, "unauthorized_client", "AADSTS700016: Application not found in the directory.")
        }
        let scope = form["scope"] ?? ""
        let audience = scope.contains("partnercenter") ? "partnerCenter" : "graph"
        if path.hasSuffix("/devicecode") {
            let code = "device-" + UUID().uuidString.lowercased()
            return json(200, JSONText.object([
                ("device_code", .string(code + "|" + audience)), ("user_code", .string("FAKE-CODE")),
                ("verification_uri", .string("https://microsoft.com/devicelogin")), ("expires_in", .number(900)), ("interval", .number(1)),
                ("message", .string("To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FAKE-CODE to authenticate.")),
            ]).utf8)
        }
        switch form["grant_type"] {
        case "client_credentials":
            if let secret = form["client_secret"] {
                guard secret == options.clientSecret else {
                    return oauthError(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
                }
            } else if let assertion = form["client_assertion"],
                      form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            {
                if let why = verifyAssertion(assertion, audience: tokenURL) {
                    state.refuse(why)
                    return oauthError(401, "invalid_client", "AADSTS700027: Client assertion failed signature validation: \(why)")
                }
            } else {
                return oauthError(401, "invalid_client", "AADSTS7000218: The request body must contain client_assertion or client_secret.")
            }
            return issued(audience: audience, grant: "client_credentials", refresh: false)
        case "urn:ietf:params:oauth:grant-type:device_code":
            guard let code = form["device_code"] else { return oauthError(400, "invalid_grant", "no device_code") }
            guard state.poll(code, pending: options.devicePendingPolls) else {
                return oauthError(400, "authorization_pending", "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.")
            }
            return issued(audience: code.hasSuffix("|partnerCenter") ? "partnerCenter" : "graph", grant: "device_code", refresh: true)
        case "refresh_token":
            guard (form["refresh_token"] ?? "").hasPrefix("refresh-") else { return oauthError(400, "invalid_grant", "bad refresh token") }
            return issued(audience: audience, grant: "refresh_token", refresh: true)
        default:
            return oauthError(400, "unsupported_grant_type", "AADSTS70003")
        }
    }

    func issued(audience: String, grant: String, refresh: Bool) -> Response {
        var members: [(String, JSONText)] = [
            ("token_type", .string("Bearer")), ("expires_in", .number(3599)),
            ("access_token", .string(state.issue(audience: audience, grant: grant))),
        ]
        if refresh { members.append(("refresh_token", .string("refresh-" + UUID().uuidString))) }
        return json(200, JSONText.object(members).utf8)
    }

    func oauthError(_ status: Int, _ code: String, _ description: String) -> Response {
        json(status, JSONText.object([("error", .string(code)), ("error_description", .string(description))]).utf8)
    }

    /// Checks a client assertion as the identity platform does: RS256 over
    /// header.claims with the registered certificate's key, `x5t` matching
    /// its SHA-1 thumbprint, `aud` the token endpoint, `iss` = `sub` = the
    /// client id, a `jti`, and a live `nbf`..`exp` window. Nil when valid.
    func verifyAssertion(_ jwt: String, audience: String) -> String? {
        guard let pem = options.certificatePEM else { return "no certificate is registered for this app" }
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]), let claimBytes = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2])
        else { return "not a JWS compact serialization" }
        let header = (try? JSONSerialization.jsonObject(with: Data(headerBytes))) as? [String: Any] ?? [:]
        let claims = (try? JSONSerialization.jsonObject(with: Data(claimBytes))) as? [String: Any] ?? [:]
        guard header["alg"] as? String == "RS256" else { return "alg is not RS256" }
        guard let certificate = try? Certificate(pemEncoded: pem), let key = _RSA.Signing.PublicKey(certificate.publicKey) else {
            return "the registered certificate is unreadable"
        }
        guard let der = Self.pemDER(pem) else { return "cannot decode the certificate" }
        guard header["x5t"] as? String == Base64URL.encode(Array(Insecure.SHA1.hash(data: der))) else { return "x5t does not match the certificate" }
        let input = Array((parts[0] + "." + parts[1]).utf8)
        guard key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5) else {
            return "bad signature"
        }
        guard claims["aud"] as? String == audience else { return "aud is not the token endpoint" }
        guard claims["iss"] as? String == options.clientID, claims["sub"] as? String == options.clientID else { return "iss/sub is not the client id" }
        guard (claims["jti"] as? String).map({ !$0.isEmpty }) == true else { return "no jti" }
        let now = Date().timeIntervalSince1970
        guard let exp = (claims["exp"] as? NSNumber)?.doubleValue, exp > now, let nbf = (claims["nbf"] as? NSNumber)?.doubleValue, nbf <= now + 300 else {
            return "outside its nbf..exp window"
        }
        return nil
    }

    static func pemDER(_ pem: String) -> [UInt8]? {
        guard let start = pem.range(of: "-----BEGIN CERTIFICATE-----"), let end = pem.range(of: "-----END CERTIFICATE-----") else { return nil }
        return Data(base64Encoded: String(pem[start.upperBound..<end.lowerBound].filter { !$0.isWhitespace })).map(Array.init)
    }
}
