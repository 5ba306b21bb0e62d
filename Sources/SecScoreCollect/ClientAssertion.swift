import Crypto
package import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// An app registration's certificate credential: the certificate (for its
/// thumbprints) and its RSA private key (to sign client assertions).
///
/// Assertion format from "Microsoft identity platform application
/// authentication certificate credentials"
/// (learn.microsoft.com/entra/identity-platform/certificate-credentials):
/// header `alg` RS256, `typ` JWT, `x5t` (base64url SHA-1 of the DER
/// certificate; newer revisions of the page name `x5t#S256`, the SHA-256
/// thumbprint, which we send too); claims `aud` = the token endpoint, `iss`
/// = `sub` = the client id, `jti` a fresh GUID, `nbf`/`iat` now, `exp` at
/// most 10 minutes later.
package struct ClientCertificate: Sendable {
    package let der: [UInt8]
    let key: _RSA.Signing.PrivateKey
    /// When the certificate stops being valid, for a clear message.
    package let notValidAfter: Date

    /// Reads a PEM certificate and a PEM private key (PKCS#8 or PKCS#1,
    /// unencrypted); both may be in one file.
    /// - Throws: `CollectError.usage` naming the file and what is wrong.
    package init(certificatePEM: String, keyPEM: String, certificateFile: String = "certificate", keyFile: String = "key") throws(CollectError) {
        guard let der = Self.pemBlock("CERTIFICATE", in: certificatePEM) else {
            throw CollectError(.usage, "\(certificateFile): no PEM CERTIFICATE block")
        }
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: der)
        } catch {
            throw CollectError(.usage, "\(certificateFile): not an X.509 certificate: \(error)")
        }
        guard let keyBlock = Self.keyPEMBlock(in: keyPEM) else {
            throw CollectError(.usage, "\(keyFile): no unencrypted PEM private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY); encrypted keys are not supported")
        }
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: keyBlock)
        } catch {
            throw CollectError(.usage, "\(keyFile): not an RSA private key: \(error)")
        }
        guard key.publicKey.derRepresentation == _RSA.Signing.PublicKey(certificate.publicKey)?.derRepresentation else {
            throw CollectError(.usage, "\(keyFile): this private key does not belong to the certificate in \(certificateFile)")
        }
        self.der = der
        notValidAfter = certificate.notValidAfter
    }

    /// Base64url SHA-1 thumbprint of the DER certificate (`x5t`).
    package var sha1Thumbprint: String { Base64URL.encode(Array(Insecure.SHA1.hash(data: der))) }
    /// Base64url SHA-256 thumbprint of the DER certificate (`x5t#S256`).
    package var sha256Thumbprint: String { Base64URL.encode(Array(SHA256.hash(data: der))) }

    /// A signed client assertion for `audience` (the token endpoint URL).
    package func assertion(clientID: String, audience: String, now: Date = Date(), id: String = UUID().uuidString.lowercased()) throws(CollectError) -> String {
        let header = JSONText.object([
            ("alg", .string("RS256")), ("typ", .string("JWT")),
            ("x5t", .string(sha1Thumbprint)), ("x5t#S256", .string(sha256Thumbprint)),
        ])
        let issued = Int(now.timeIntervalSince1970)
        let claims = JSONText.object([
            ("aud", .string(audience)), ("iss", .string(clientID)), ("sub", .string(clientID)),
            ("jti", .string(id)), ("nbf", .number(Double(issued))), ("iat", .number(Double(issued))),
            ("exp", .number(Double(issued + 600))),
        ])
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
        do {
            let signature = try key.signature(for: SHA256.hash(data: Array(signingInput.utf8)), padding: .insecurePKCS1v1_5)
            return signingInput + "." + Base64URL.encode(Array(signature.rawRepresentation))
        } catch {
            throw CollectError(.signIn, "cannot sign the client assertion: \(error)")
        }
    }

    static func pemBlock(_ label: String, in text: String) -> [UInt8]? {
        guard let start = text.range(of: "-----BEGIN \(label)-----"),
              let end = text.range(of: "-----END \(label)-----", range: start.upperBound..<text.endIndex)
        else { return nil }
        let body = text[start.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(body)).map(Array.init)
    }

    static func keyPEMBlock(in text: String) -> String? {
        for label in ["PRIVATE KEY", "RSA PRIVATE KEY"] {
            if let start = text.range(of: "-----BEGIN \(label)-----"),
               let end = text.range(of: "-----END \(label)-----", range: start.upperBound..<text.endIndex)
            {
                return String(text[start.lowerBound..<end.upperBound])
            }
        }
        return nil
    }
}

/// RFC 4648 section 5, no padding.
package enum Base64URL {
    package static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    package static func decode(_ text: String) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map(Array.init)
    }
}
