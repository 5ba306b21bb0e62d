// Helpers shared by the test targets: the repository's files, built products,
// leak checks for tests that spawn real plugin processes, scratch folders.
import DequeModule
import Glibc
import InMemoryLogging
public import Logging
public import PluginHost
public import SecScoreWire
import Subprocess
import Synchronization
import SystemPackage
public import Testing

// MARK: - Files in the repository

/// The repository's root folder, from this file's own path
/// (Tests/SecScoreTestSupport/Support.swift). The one place that computes
/// it: everything the tests read lies below it (scripts/check-standalone.sh
/// checks that each path they name exists in a bare clone).
public let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

/// The path of a file or folder the repository holds, e.g.
/// `fixture("Examples/snapshots/contoso-direct-bill")`. Refuses absolute
/// paths and `..`, which would reach outside the checkout.
public func fixture(_ relative: String) -> String {
    precondition(
        !relative.hasPrefix("/") && !relative.split(separator: "/").contains(".."),
        "fixture paths are relative to the repository and stay inside it: \(relative)")
    return repositoryRoot + "/" + relative
}

/// The folder holding the built executables: the test binary's own folder.
public let productsDirectory: String = {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    precondition(n > 0)
    let path = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var parts = path.split(separator: "/").dropLast()
    // The test binary may sit inside a .xctest folder next to the products.
    if parts.last?.hasSuffix(".xctest") == true { parts = parts.dropLast() }
    return "/" + parts.joined(separator: "/")
}()

/// The path of a built product.
public func product(_ name: String) -> String { productsDirectory + "/" + name }

/// The misbehaving fixture in one of its modes.
public func misbehaving(_ mode: String) -> PluginExecutable {
    PluginExecutable(path: product("test-plugin-misbehaving"), arguments: [mode])
}

/// Short deadlines so that fault tests finish fast; plugins are asked for
/// debug logs, which `logs` collects when given.
public func fastConfiguration(logs: LogCollector? = nil) -> PluginHostConfiguration {
    var c = PluginHostConfiguration()
    c.handshakeTimeout = .seconds(3)
    c.requestTimeout = .seconds(3)
    c.cancelGrace = .milliseconds(500)
    c.shutdownGrace = .milliseconds(500)
    c.terminateGrace = .milliseconds(500)
    if let logs { c.logger = logs.logger }
    c.logger.logLevel = .debug
    return c
}

/// Collects the log records of connections (swift-log's in-memory handler).
public final class LogCollector: Sendable {
    private let handler = InMemoryLogHandler()
    public init() {}

    /// A logger whose records this collector keeps.
    public var logger: Logger {
        Logger(label: "secscore.tests") { [handler] _ in handler }
    }

    public var all: [CapturedLog] { handler.entries.map(CapturedLog.init) }
}

/// One record a plugin connection logged, read back through its
/// `PluginLog.Key` metadata.
public struct CapturedLog: Sendable {
    public var level: Logger.Level
    public var message: String
    public var metadata: Logger.Metadata

    init(_ entry: InMemoryLogHandler.Entry) {
        level = entry.level
        message = entry.message.description
        metadata = entry.metadata
    }

    public var plugin: String? { metadata[PluginLog.Key.plugin].map { "\($0)" } }
    public var pid: Int32? { metadata[PluginLog.Key.pid].flatMap { Int32("\($0)") } }
    public var source: PluginLog.Source? { metadata[PluginLog.Key.source].flatMap { PluginLog.Source(rawValue: "\($0)") } }
    public var requestID: UInt32? { metadata[PluginLog.Key.requestID].flatMap { UInt32("\($0)") } }
    /// The LOG frame's fields, sorted by key.
    public var fields: [(String, String)] {
        guard case .dictionary(let fields)? = metadata[PluginLog.Key.fields] else { return [] }
        return fields.map { ($0.key, "\($0.value)") }.sorted { $0.0 < $1.0 }
    }
}

/// A request for `requirement` with a fixed context.
public func request(
    _ requirement: String, facets: Secscore_Tenant_V1_Facets = .init(), parameters: [String: String] = [:]
) -> Secscore_Plugin_V1_EvaluateRequest {
    var r = Secscore_Plugin_V1_EvaluateRequest()
    r.requirementID = requirement
    r.context.asOf = "2025-11-01"
    r.context.edition = "2025-10"
    r.context.partnerType = .directBill
    r.facets = facets
    r.parameters = parameters.sorted { $0.key < $1.key }.map { key, value in
        var p = Secscore_Plugin_V1_Parameter()
        p.name = key
        p.values = [value]
        return p
    }
    return r
}

/// Role assignments making each name a Global Administrator.
public func globalAdmins(_ names: [String]) -> Secscore_Tenant_V1_Facets {
    var facets = Secscore_Tenant_V1_Facets()
    facets.roleAssignments.items = names.enumerated().map { i, name in
        var a = Secscore_Tenant_V1_RoleAssignment()
        a.id = "assignment-\(i)"
        a.principalID = "user-\(i)"
        a.principalDisplayName = name
        a.roleDefinitionID = "62e90394-69f5-4237-9190-012177145e10"
        return a
    }
    return facets
}

// MARK: - Leak checks

/// Runs `body` while no other process-spawning test runs, and checks that
/// it left no child process and no open descriptor behind.
@discardableResult
public func withLeakCheck<T>(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async throws -> T {
    await processTestLock.lock()
    let fdsBefore = hostDescriptorCount()
    do {
        let value = try await body()
        await expectNoLeaks(fdsBefore: fdsBefore, sourceLocation: sourceLocation)
        await processTestLock.unlock()
        return value
    } catch {
        await expectNoLeaks(fdsBefore: fdsBefore, sourceLocation: sourceLocation)
        await processTestLock.unlock()
        throw error
    }
}

/// Descriptors that a plugin session could leak: pipes, pidfds, eventfds and
/// files. The runtime's own timerfds, epoll and sockets come and go with
/// Dispatch and are not counted.
public func hostDescriptorCount() -> Int {
    openDescriptors().filter { entry in
        !(entry.contains("timerfd") || entry.contains("eventpoll") || entry.contains("socket:")
            || entry.contains("/proc/") && entry.hasSuffix("/fd"))
    }.count
}

private func expectNoLeaks(fdsBefore: Int, sourceLocation: SourceLocation) async {
    // Descriptors close on the I/O thread just after the session ends.
    var fdsAfter = hostDescriptorCount()
    var children = childProcesses()
    for _ in 0..<50 where fdsAfter > fdsBefore || !children.isEmpty {
        try? await Task.sleep(for: .milliseconds(20))
        fdsAfter = hostDescriptorCount()
        children = childProcesses()
    }
    #expect(children.isEmpty, "child processes left behind: \(children)", sourceLocation: sourceLocation)
    // A leak is a descriptor more than before. One fewer is the runtime (or
    // an earlier test's session) closing something it had open.
    #expect(fdsAfter <= fdsBefore, "descriptors before \(fdsBefore), after \(fdsAfter): \(openDescriptors())", sourceLocation: sourceLocation)
}

/// What each open descriptor of this process points at.
public func openDescriptors() -> [String] {
    guard let dir = opendir("/proc/self/fd") else { return [] }
    defer { closedir(dir) }
    var result: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        guard Int(name) != nil else { continue }
        var buffer = [CChar](repeating: 0, count: 512)
        let n = readlink("/proc/self/fd/\(name)", &buffer, 511)
        let target = n > 0 ? String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        result.append("\(name)->\(target)")
    }
    return result
}

/// A FIFO async lock shared by all test targets in the test binary.
public actor AsyncLock {
    private var held = false
    private var waiters: Deque<CheckedContinuation<Void, Never>> = []
    public init() {}
    public func lock() async {
        if !held {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }
    public func unlock() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}

public let processTestLock = AsyncLock()

/// Child processes of this process that still exist (zombies included).
public func childProcesses() -> [Int32] {
    childProcesses(of: getpid())
}

/// Child processes of `pid` (zombies included).
public func childProcesses(of pid: Int32) -> [Int32] {
    allProcesses().filter { $0.parent == pid }.map(\.pid)
}

/// Live processes (not zombies waiting for init) in process group `pgid`.
public func processesInGroup(_ pgid: Int32) -> [Int32] {
    allProcesses().filter { $0.state != "Z" && getpgid($0.pid) == pgid }.map(\.pid)
}

/// True when `pid` names a live process (not a zombie).
/// Whether `pid` is still in the process table (a zombie counts: it has
/// not been reaped yet).
public func processExists(_ pid: Int32) -> Bool {
    allProcesses().contains { $0.pid == pid }
}

public func processIsAlive(_ pid: Int32) -> Bool {
    guard let p = allProcesses().first(where: { $0.pid == pid }) else { return false }
    return p.state != "Z"
}

private func allProcesses() -> [(pid: Int32, parent: Int32, state: String)] {
    guard let dir = opendir("/proc") else { return [] }
    defer { closedir(dir) }
    var result: [(Int32, Int32, String)] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        guard let pid = Int32(name), let file = fopen("/proc/\(pid)/stat", "r") else { continue }
        var line = [CChar](repeating: 0, count: 1024)
        fgets(&line, 1024, file)
        fclose(file)
        let text = String(decoding: line.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
        guard let close = text.lastIndex(of: ")") else { continue }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 1, let parent = Int32(fields[1]) else { continue }
        result.append((pid, parent, String(fields[0])))
    }
    return result
}

// MARK: - Running a command

/// What a finished command printed and how it ended.
public struct CommandOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs `path` with `arguments` to completion and captures its output
/// (swift-subprocess: a test needs no resource limits or pinned descriptor,
/// unlike the host's own spawn). `environment` nil inherits this process's.
public func runAndCapture(
    _ path: String, _ arguments: [String], environment: [String: String]? = nil, stdin: String? = nil,
    exclusive: Bool = true
) async throws -> CommandOutput {
    guard exclusive else { return try await runBlocking(path, arguments, environment: environment, stdin: stdin) }
    await processTestLock.lock()
    defer { Task { await processTestLock.unlock() } }
    return try await runBlocking(path, arguments, environment: environment, stdin: stdin)
}

private func runBlocking(_ path: String, _ arguments: [String], environment: [String: String]?, stdin: String?) async throws -> CommandOutput {
    let result = try await Subprocess.run(
        .path(FilePath(path)),
        arguments: Arguments(arguments),
        environment: environment.map { env in
            .custom(Dictionary(uniqueKeysWithValues: env.map { (Environment.Key(stringLiteral: $0.key), $0.value) }))
        } ?? .inherit,
        input: .array(Array((stdin ?? "").utf8)),
        output: .string(limit: 256 << 20),
        error: .string(limit: 64 << 20))
    let status: Int32
    switch result.terminationStatus {
    case .exited(let code): status = code
    case .signaled(let signal): status = 128 + signal
    }
    return CommandOutput(status: status, stdout: result.standardOutput, stderr: result.standardError)
}

public struct CommandError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

// MARK: - Scratch folders

/// A temporary folder, removed with its files when released.
public final class ScratchDirectory {
    public let path: String

    public init() {
        var template = Array("/tmp/secscore-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    deinit {
        if let dir = opendir(path) {
            while let e = readdir(dir) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(path)
    }

    /// Writes a file; returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String, mode: UInt32 = 0o644) -> String {
        let file = path + "/" + name
        let f = fopen(file, "wb")!
        fputs(text, f)
        fclose(f)
        chmod(file, mode)
        return file
    }

    /// Writes an executable script; returns its path.
    public func script(_ name: String, _ body: String, mode: UInt32 = 0o755) -> String {
        write(name, body, mode: mode)
    }

    /// Writes raw bytes (text in another encoding, NUL bytes); returns its path.
    @discardableResult
    public func writeBytes(_ name: String, _ bytes: [UInt8]) -> String {
        let file = path + "/" + name
        let f = fopen(file, "wb")!
        _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, f) }
        fclose(f)
        return file
    }
}
