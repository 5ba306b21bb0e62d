import Foundation
import Glibc

/// Reports what a collection is doing (the CLI draws it on a terminal and
/// stays quiet when piped). Never given a token.
package protocol CollectProgress: Sendable {
    func callFinished(_ name: String, detail: String)
    func page(_ name: String, items: Int)
    func notice(_ text: String)
}

/// What to collect and where to put it.
package struct CollectRequest: Sendable {
    /// The snapshot folder; written whole or not at all.
    package var output: String
    /// The partner tenant (id or domain) that sign-in and partner.json name.
    package var tenantID: String
    package var endpoints: CloudEndpoints
    package var settings: PartnerSettings
    package var toolVersion: String
    /// Replace an existing snapshot that collect wrote before.
    package var replace: Bool

    package init(output: String, tenantID: String, endpoints: CloudEndpoints, settings: PartnerSettings,
                toolVersion: String = "0.1.0", replace: Bool = false) {
        self.output = output
        self.tenantID = tenantID
        self.endpoints = endpoints
        self.settings = settings
        self.toolVersion = toolVersion
        self.replace = replace
    }
}

/// The outcome: which files were written and what was left out.
package struct CollectSummary: Sendable {
    package var output: String
    package var written: [String]
    /// File name to the reason it was left out.
    package var leftOut: [(file: String, reason: String)]
    package var calls: [Ledger.Call]
    package var seconds: Double
}

/// Fetches a snapshot from Microsoft Graph and Partner Center into a
/// temporary folder beside the output and renames it into place when every
/// step has ended, with `collection.json` describing every call.
package final class Collector: Sendable {
    let request: CollectRequest
    let session: HTTPSession
    let tokens: TokenProvider
    let progress: any CollectProgress
    let ledger = Ledger()
    let throttles: [String: Throttle]
    let signInName: String

    package init(request: CollectRequest, session: HTTPSession, tokens: TokenProvider, signIn: String, progress: any CollectProgress) {
        self.request = request
        self.session = session
        self.tokens = tokens
        self.progress = progress
        signInName = signIn
        var throttles: [String: Throttle] = [:]
        for limit in [ThrottleLimit.directory, .reports, .conditionalAccess, .partnerSecurity, .partnerCenter] {
            throttles[limit.name] = Throttle(limit)
        }
        self.throttles = throttles
    }

    /// Runs the whole collection.
    /// - Throws: `CollectError` `.output` or `.usage` when the snapshot
    ///   cannot be written, `.signIn` when no token could be had at all,
    ///   `.cancelled`. A failed call is not an error: its file is left out
    ///   and collection.json says why.
    package func run() async throws(CollectError) -> CollectSummary {
        let started = Date()
        let clock = ContinuousClock()
        let t0 = clock.now
        try checkOutput()
        let temp = try makeTemporaryFolder()
        do throws(CollectError) {
            try await collect(into: temp)
            if let fatal = await ledger.fatal { throw fatal }
            let manifest = await ledger.manifest(
                tenant: request.tenantID, started: started, finished: Date(), toolVersion: request.toolVersion,
                signIn: signInName, endpoints: request.endpoints)
            try writeFile(temp + "/collection.json", manifest)
            try moveIntoPlace(temp)
        } catch {
            removeTree(temp)
            throw error
        }
        let files = await ledger.files
        let elapsed = clock.now - t0
        return CollectSummary(
            output: request.output,
            written: files.filter { $0.value.written }.map(\.key).sorted(),
            leftOut: files.filter { !$0.value.written }.map { (file: $0.key, reason: $0.value.reason ?? "") }.sorted { $0.file < $1.file },
            calls: await ledger.orderedCalls,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private func collect(into dir: String) async throws(CollectError) {
        // Sign in before anything else: with no token there is nothing to collect.
        _ = try await tokens.authorization(scope: request.endpoints.graphScope)
        try await writePartner(dir)
        async let directory: Void = collectDirectory(dir)
        async let reports: Void = collectRegistrationDetails(dir)
        async let security: Void = collectPartnerSecurity(dir)
        async let partnerCenter: Void = collectPartnerCenter(dir)
        async let defaults: Void = collectSecurityDefaults(dir)
        _ = await (directory, reports, security, partnerCenter, defaults)
    }

    // MARK: Output folder

    private func checkOutput() throws(CollectError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: request.output, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw CollectError(.usage, "\(request.output) exists and is not a folder")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: request.output)) ?? []
        if entries.isEmpty { return }
        guard request.replace, entries.contains("collection.json") else {
            throw CollectError(.usage, "\(request.output) is not empty; give an empty or new folder (or --replace to overwrite a snapshot collect wrote before)")
        }
    }

    private func makeTemporaryFolder() throws(CollectError) -> String {
        let parent = (request.output as NSString).deletingLastPathComponent
        let base = (request.output as NSString).lastPathComponent
        var template = Array(((parent.isEmpty ? "." : parent) + "/.\(base).collecting-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) != nil }) else {
            throw CollectError(.output, "cannot create a temporary folder beside \(request.output): \(String(cString: strerror(errno)))")
        }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// rename(2) within one folder: a reader sees no snapshot or a whole one.
    private func moveIntoPlace(_ temp: String) throws(CollectError) {
        if FileManager.default.fileExists(atPath: request.output) {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: request.output)) ?? []
            if entries.isEmpty {
                rmdir(request.output)
            } else {
                let old = temp + ".old"
                guard rename(request.output, old) == 0 else {
                    throw CollectError(.output, "cannot move the old snapshot aside: \(String(cString: strerror(errno)))")
                }
                guard rename(temp, request.output) == 0 else {
                    let e = String(cString: strerror(errno))
                    rename(old, request.output)
                    throw CollectError(.output, "cannot move the snapshot into \(request.output): \(e)")
                }
                removeTree(old)
                return
            }
        }
        guard rename(temp, request.output) == 0 else {
            throw CollectError(.output, "cannot move the snapshot into \(request.output): \(String(cString: strerror(errno)))")
        }
    }

    private func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    // MARK: partner.json (no API: the config file)

    private func writePartner(_ dir: String) async throws(CollectError) {
        let s = request.settings
        var members: [(String, JSONText)] = [("tenantId", .string(request.tenantID))]
        if let name = s.displayName { members.append(("displayName", .string(name))) }
        if let t = s.partnerType { members.append(("partnerType", .string(t))) }
        if let c = s.commerceExperience { members.append(("commerceExperience", .string(c))) }
        if let d = s.onboardedDate { members.append(("onboardedDate", .string(d))) }
        var bytes = JSONText.object(members).utf8
        bytes.append(0x0A)
        try writeFile(dir + "/partner.json", bytes)
        let missing = s.missing
        await ledger.wrote("partner.json", items: nil, source: "config file (no Microsoft API returns these)")
        if !missing.isEmpty {
            progress.notice("partner.json lacks \(missing.joined(separator: ", ")): no Microsoft API returns them; put them in the --config file. Until then the requirements that need them are could not check.")
            await ledger.skip("partner.json: " + missing.joined(separator: ", "), why: "config", "not in the --config file; no Microsoft API returns them")
        }
    }
}
