import ArgumentParser
import Glibc
import SecScoreCollect
import Synchronization

/// `secscore collect OUTPUT_DIR`: a snapshot from Microsoft Graph and
/// Partner Center (docs/COLLECT.md). Secrets come from the environment or a
/// file, never from the command line, and are never printed.
struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Fetch a snapshot from Microsoft Graph and Partner Center that `secscore evaluate` reads.",
        discussion: """
            Sign-in (one of): a client secret (--client-id and the secret in $AZURE_CLIENT_SECRET \
            or --client-secret-file), a certificate (--client-id --certificate FILE [--certificate-key FILE]), \
            --device-code (a person signs in; Partner Center's app+user calls need it), or --token-command CMD \
            (prints a token for the scope in $SECSCORE_TOKEN_SCOPE, e.g. \
            'az account get-access-token --scope "$SECSCORE_TOKEN_SCOPE" --query accessToken -o tsv').

            The partner type, commerce experience, onboarding date and the security contact have no \
            API: give them in --config FILE. A call that fails leaves its file out and collection.json \
            says why; the evaluator reports those requirements as could not check with that reason.

            Exit status: 0 every file written; 3 written, but some files were left out; 2 nothing written.
            """
    )

    @Argument(help: ArgumentHelp("The snapshot folder to create (new or empty).", valueName: "OUTPUT_DIR"))
    var output: String

    @Option(help: "The partner's tenant id (GUID) or primary domain.") var tenant: String?
    @Option(name: .customLong("client-id"), help: "The app registration's application (client) id.") var clientID: String?
    @Option(name: .customLong("client-secret-env"), help: ArgumentHelp("Environment variable holding the client secret.", valueName: "NAME"))
    var clientSecretEnv = "AZURE_CLIENT_SECRET"
    @Option(name: .customLong("client-secret-file"), help: ArgumentHelp("File holding the client secret.", valueName: "FILE"))
    var clientSecretFile: String?
    @Option(help: ArgumentHelp("PEM certificate of the app (sign-in with a signed client assertion).", valueName: "FILE"))
    var certificate: String?
    @Option(name: .customLong("certificate-key"), help: ArgumentHelp("PEM private key (default: in the --certificate file).", valueName: "FILE"))
    var certificateKey: String?
    @Flag(name: .customLong("device-code"), help: "Sign in as a person with the device code flow.") var deviceCode = false
    @Option(name: .customLong("token-command"), help: ArgumentHelp("A command that prints an access token for $SECSCORE_TOKEN_SCOPE.", valueName: "CMD"))
    var tokenCommand: String?

    @Option(help: ArgumentHelp("global | usgov | usgovhigh | dod | china", valueName: "CLOUD")) var cloud = "global"
    @Option(name: .customLong("graph-endpoint"), help: ArgumentHelp("Override the Graph host.", valueName: "URL")) var graphEndpoint: String?
    @Option(name: .customLong("partner-center-endpoint"), help: ArgumentHelp("Override the Partner Center host.", valueName: "URL"))
    var partnerCenterEndpoint: String?
    @Option(help: ArgumentHelp("Override the sign-in authority host.", valueName: "URL")) var authority: String?
    @Option(name: .customLong("ca-file"), help: ArgumentHelp("Extra trusted root certificates (PEM), for a private CA.", valueName: "FILE"))
    var caFile: String?

    @Option(help: ArgumentHelp("JSON with partnerType, commerceExperience, onboardedDate, displayName, securityContact.", valueName: "FILE"))
    var config: String?
    @Flag(help: "Replace a snapshot that collect wrote before.") var replace = false
    @Option(name: .customLong("retry-budget"), help: ArgumentHelp("Seconds one call may spend waiting for retries.", valueName: "SECONDS"))
    var retryBudget: Double = 300
    @Flag(help: "No progress display.") var quiet = false

    func validate() throws {
        let chosen = [clientSecretFile != nil, certificate != nil, deviceCode, tokenCommand != nil].filter { $0 }.count
        if chosen > 1 { throw ValidationError("choose one sign-in: --client-secret-file, --certificate, --device-code or --token-command") }
        if CloudEndpoints.Cloud(rawValue: cloud) == nil {
            throw ValidationError("--cloud must be one of \(CloudEndpoints.Cloud.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if tokenCommand == nil, tenant == nil { throw ValidationError("--tenant is required (the partner's tenant id or domain)") }
        if tokenCommand == nil, clientID == nil { throw ValidationError("--client-id is required for this sign-in") }
        if retryBudget < 0 { throw ValidationError("--retry-budget must be 0 or more") }
    }

    func run() async throws {
        do {
            let code = try await collect()
            Glibc.exit(code)
        } catch {
            printError("secscore collect: \(error)")
            Glibc.exit(2)
        }
    }

    private func collect() async throws(CollectError) -> Int32 {
        var endpoints = CloudEndpoints(cloud: CloudEndpoints.Cloud(rawValue: cloud)!)
        if let graphEndpoint { endpoints.graph = CloudEndpoints(graph: graphEndpoint, partnerCenter: "", authority: "").graph }
        if let partnerCenterEndpoint { endpoints.partnerCenter = CloudEndpoints(graph: "", partnerCenter: partnerCenterEndpoint, authority: "").partnerCenter }
        if let authority { endpoints.authority = CloudEndpoints(graph: "", partnerCenter: "", authority: authority).authority }
        try endpoints.validate()
        let settings = try config.map(PartnerSettings.load) ?? PartnerSettings()
        let method = try signInMethod()
        let session = try HTTPSession(caFile: caFile, retry: RetryPolicy(maxTotal: retryBudget))
        let progress = TerminalProgress(enabled: !quiet && isatty(2) != 0)
        let tokens = TokenProvider(method: method, endpoints: endpoints, session: session) { message in
            // The device code prompt is for a person: always shown.
            printError(message)
        }
        let request = CollectRequest(output: output, tenantID: tenant ?? "", endpoints: endpoints, settings: settings,
                                     toolVersion: SecScoreCommand.configuration.version, replace: replace)
        let collector = Collector(request: request, session: session, tokens: tokens, signIn: method.name, progress: progress)
        let summary: CollectSummary
        do throws(CollectError) {
            summary = try await collector.run()
        } catch {
            await session.shutdown()
            throw error
        }
        await session.shutdown()
        progress.clear()
        print("wrote \(summary.output): \(summary.written.count) files in \((summary.seconds * 10).rounded() / 10) s")
        for (file, reason) in summary.leftOut {
            print("  left out \(file): \(reason)")
        }
        return summary.leftOut.isEmpty ? 0 : 3
    }

    private func signInMethod() throws(CollectError) -> SignInMethod {
        if let tokenCommand { return .tokenCommand(tokenCommand) }
        let tenant = tenant ?? ""
        let clientID = clientID ?? ""
        if deviceCode { return .deviceCode(tenant: tenant, clientID: clientID) }
        if let certificate {
            let keyFile = certificateKey ?? certificate
            guard let certText = readTextFile(certificate) else {
                throw CollectError(.usage, "--certificate \(certificate): cannot read the file")
            }
            guard let keyText = readTextFile(keyFile) else {
                throw CollectError(.usage, "--certificate-key \(keyFile): cannot read the file")
            }
            let cert = try ClientCertificate(certificatePEM: certText, keyPEM: keyText, certificateFile: certificate, keyFile: keyFile)
            if cert.isExpired {
                throw CollectError(.usage, "--certificate \(certificate): expired on \(cert.expiry); upload a new one to the app registration")
            }
            return .certificate(tenant: tenant, clientID: clientID, certificate: cert)
        }
        if let clientSecretFile {
            guard let text = readTextFile(clientSecretFile) else {
                throw CollectError(.usage, "--client-secret-file \(clientSecretFile): cannot read the file")
            }
            let secret = String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
            guard !secret.isEmpty else { throw CollectError(.usage, "--client-secret-file \(clientSecretFile) is empty") }
            return .clientSecret(tenant: tenant, clientID: clientID, secret: Secret(secret))
        }
        guard let raw = getenv(clientSecretEnv), case let value = String(cString: raw), !value.isEmpty else {
            throw CollectError(.usage, "no sign-in: set $\(clientSecretEnv) to the client secret, or give --client-secret-file, --certificate, --device-code or --token-command")
        }
        return .clientSecret(tenant: tenant, clientID: clientID, secret: Secret(value))
    }
}

/// One status line on stderr, redrawn in place; nothing when not a terminal.
final class TerminalProgress: CollectProgress {
    private let enabled: Bool
    private let counts = Mutex<[String: Int]>([:])

    init(enabled: Bool) { self.enabled = enabled }

    func page(_ name: String, items: Int) {
        guard enabled else { return }
        counts.withLock { counts in
            counts[name] = items
            let line = counts.keys.sorted().map { "\($0) \(counts[$0]!)" }.joined(separator: " · ")
            printError("\r\u{1B}[K" + String(line.prefix(200)), newline: false)
        }
    }

    func callFinished(_ name: String, detail: String) {
        guard enabled else { return }
        counts.withLock { _ in printError("\r\u{1B}[K\(name): \(detail)") }
    }

    func notice(_ text: String) {
        // Notices say what the user must supply: shown even when piped.
        counts.withLock { _ in printError((enabled ? "\r\u{1B}[K" : "") + "note: " + text) }
    }

    func clear() {
        guard enabled else { return }
        counts.withLock { _ in printError("\r\u{1B}[K", newline: false) }
    }
}
