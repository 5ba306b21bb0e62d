import FakeMicrosoft
import Foundation
import SecScoreCollect
import SecScoreSynth
import SecScoreTestSupport
import TenantSnapshot

struct Quiet: CollectProgress {
    func callFinished(_ name: String, detail: String) {}
    func page(_ name: String, items: Int) {}
    func notice(_ text: String) {}
}

/// A fresh temporary folder.
func temporaryFolder(_ name: String = "collect") -> String {
    let path = NSTemporaryDirectory() + "secscore-\(name)-" + UUID().uuidString.prefix(8)
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A small synthetic tenant on disk (every snapshot file present).
func synthTenant(users: Int = 40, admins: Int = 6, customers: Int = 9) throws -> String {
    let dir = temporaryFolder("tenant")
    try SnapshotSynthesizer(size: SynthSize(admins: admins, users: users, policies: 4, alerts: 6, customers: customers, subscriptions: customers * 2),
                            seed: 3).write(to: dir, name: "Fake Partner")
    return dir
}

/// The settings a person would put in --config for `snapshot` (its partner.json and contact).
func settings(matching snapshot: String) -> PartnerSettings {
    let partner = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: snapshot + "/partner.json")))) as? [String: Any] ?? [:]
    let contact = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: snapshot + "/securityContact.json")))) as? [String: Any]
    return PartnerSettings(
        displayName: partner["displayName"] as? String, partnerType: partner["partnerType"] as? String,
        commerceExperience: partner["commerceExperience"] as? String, onboardedDate: partner["onboardedDate"] as? String,
        securityContact: contact.map { .init(name: $0["name"] as! String, email: $0["email"] as! String, phone: $0["phone"] as! String) })
}

/// A running fake over `snapshot`, stopped by `body`'s end. Holds the
/// test binary's process lock throughout: the fake's sockets, the HTTP
/// client's event loop and the CLI children must not land inside another
/// suite's leak check.
func withFake<T>(
    _ snapshot: String, options: FakeMicrosoft.Options = { var o = FakeMicrosoft.Options(); o.pageSize = 20; return o }(),
    _ body: (FakeMicrosoft, String) async throws -> T
) async throws -> T {
    await processTestLock.lock()
    do {
        let fake = FakeMicrosoft(tenant: try FakeTenant(snapshot: snapshot), options: options)
        let base = try await fake.start()
        let result: T
        do {
            result = try await body(fake, base)
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
        await processTestLock.unlock()
        return result
    } catch {
        await processTestLock.unlock()
        throw error
    }
}

/// Runs collect in-process against the fake.
func collect(
    base: String, output: String, method: SignInMethod? = nil, settings: PartnerSettings, options: FakeMicrosoft.Options = FakeMicrosoft.Options(),
    retry: RetryPolicy = RetryPolicy(maxAttempts: 6, maxTotal: 20, baseDelay: 0.2, maxDelay: 2), prompt: @escaping @Sendable (String) -> Void = { _ in }
) async throws(CollectError) -> CollectSummary {
    let endpoints = CloudEndpoints(graph: base, partnerCenter: base, authority: base)
    let session = try HTTPSession(retry: retry, requestTimeout: 30)
    let signIn = method ?? .clientSecret(tenant: options.tenantID, clientID: options.clientID, secret: Secret(options.clientSecret ?? ""))
    let tokens = TokenProvider(method: signIn, endpoints: endpoints, session: session, prompt: prompt)
    let collector = Collector(
        request: CollectRequest(output: output, tenantID: options.tenantID, endpoints: endpoints, settings: settings),
        session: session, tokens: tokens, signIn: signIn.name, progress: Quiet())
    do {
        let summary = try await collector.run()
        await session.shutdown()
        return summary
    } catch {
        await session.shutdown()
        throw error
    }
}

/// collection.json, parsed.
func manifest(_ snapshot: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: snapshot + "/collection.json")))) as? [String: Any] ?? [:]
}

func call(_ manifest: [String: Any], _ name: String) -> [String: Any] {
    (manifest["calls"] as? [[String: Any]] ?? []).first { $0["name"] as? String == name } ?? [:]
}

/// Evaluates `snapshot` through the real CLI and plugins; requirement id to (status, reason).
func evaluate(_ snapshot: String) async throws -> [String: (status: String, reason: String)] {
    let report = temporaryFolder("report") + "/report.json"
    await processTestLock.lock()
    defer { Task { await processTestLock.unlock() } }
    let out = try await runAndCaptureCLI([
        "evaluate", snapshot, "--as-of", "2025-11-15", "--format", "json", "--output", report, "--fail-on", "none",
    ])
    guard out.status == 0 || out.status == 3 else { throw CollectTestError("evaluate exited \(out.status): \(out.stderr)") }
    let json = (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report)))) as? [String: Any] ?? [:]
    var result: [String: (String, String)] = [:]
    for r in json["requirements"] as? [[String: Any]] ?? [] {
        result[r["id"] as? String ?? ""] = (r["status"] as? String ?? "", r["reason"] as? String ?? "")
    }
    return result
}

struct CollectTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A self-signed RSA certificate and key (PEM), made with openssl.
func makeCertificate() async throws -> (certificate: String, key: String) {
    await processTestLock.lock()
    defer { Task { await processTestLock.unlock() } }
    let dir = temporaryFolder("cert")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem",
                         "-days", "2", "-subj", "/CN=secscore-collect-test"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return (try String(contentsOfFile: dir + "/cert.pem", encoding: .utf8), try String(contentsOfFile: dir + "/key.pem", encoding: .utf8))
}

/// The secscore CLI with `arguments`, run on a thread of its own: the
/// fake serves on the cooperative pool, which a blocking wait must not hold.
func runAndCaptureCLI(_ arguments: [String], environment: [String: String]? = nil) async throws -> CLIOutput {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: product("secscore"))
            process.arguments = arguments
            if let environment { process.environment = environment }
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
                return
            }
            let box = DataBox()
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                box.set(err.fileHandleForReading.readDataToEndOfFile())
                done.signal()
            }
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            done.wait()
            process.waitUntilExit()
            continuation.resume(returning: CLIOutput(
                status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                stderr: String(decoding: box.value, as: UTF8.self)))
        }
    }
}

final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.withLock { data = d } }
    var value: Data { lock.withLock { data } }
}

struct CLIOutput: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}
