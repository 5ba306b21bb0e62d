import Glibc
import PluginHost
import SecScoreWire
import Testing

/// The folder holding the built executables: the test binary's own folder.
let productsDirectory: String = {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    precondition(n > 0)
    let path = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var dir = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    // On Linux the test binary sits next to the products (maybe inside a
    // .xctest folder).
    if dir.hasSuffix(".xctest") { dir = dir.split(separator: "/").dropLast().joined(separator: "/") }
    return dir.hasPrefix("/") ? dir : "/" + dir
}()

func product(_ name: String) -> String { productsDirectory + "/" + name }

func misbehaving(_ mode: String) -> PluginExecutable {
    PluginExecutable(path: product("test-plugin-misbehaving"), arguments: [mode])
}

/// A configuration with short deadlines so fault tests finish fast, that
/// collects log records.
func fastConfiguration(logs: LogCollector? = nil) -> PluginHostConfiguration {
    var c = PluginHostConfiguration()
    c.handshakeTimeout = .seconds(3)
    c.requestTimeout = .seconds(3)
    c.cancelGrace = .milliseconds(500)
    c.shutdownGrace = .milliseconds(500)
    c.terminateGrace = .milliseconds(500)
    c.logLevel = .debug
    if let logs { c.logHandler = { logs.append($0) } }
    return c
}

final class LogCollector: Sendable {
    private let records = Mutex<[PluginLogRecord]>([])
    func append(_ r: PluginLogRecord) { records.withLock { $0.append(r) } }
    var all: [PluginLogRecord] { records.withLock { $0 } }
}

import Synchronization

func request(_ requirement: String, facets: Secscore_Tenant_V1_Facets = .init()) -> Secscore_Plugin_V1_EvaluateRequest {
    var r = Secscore_Plugin_V1_EvaluateRequest()
    r.requirementID = requirement
    r.context.asOf = "2025-11-01"
    r.context.edition = "2025-10"
    r.context.partnerType = .directBill
    r.facets = facets
    return r
}

func globalAdmins(_ names: [String]) -> Secscore_Tenant_V1_Facets {
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

/// Child processes of this process that are still around (zombies count).
func childProcesses() -> [Int32] {
    let me = getpid()
    guard let dir = opendir("/proc") else { return [] }
    defer { closedir(dir) }
    var children: [Int32] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        guard let pid = Int32(name) else { continue }
        guard let fd = fopen("/proc/\(pid)/stat", "r") else { continue }
        var line = [CChar](repeating: 0, count: 1024)
        fgets(&line, 1024, fd)
        fclose(fd)
        let text = String(decoding: line.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // pid (comm) state ppid ...
        guard let close = text.lastIndex(of: ")") else { continue }
        let fields = text[text.index(after: close)...].split(separator: " ")
        if fields.count > 1, Int32(fields[1]) == me { children.append(pid) }
    }
    return children
}

/// Processes whose process group is `pgid`.
func processesInGroup(_ pgid: Int32) -> [Int32] {
    guard let dir = opendir("/proc") else { return [] }
    defer { closedir(dir) }
    var found: [Int32] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        guard let pid = Int32(name) else { continue }
        if getpgid(pid) == pgid { found.append(pid) }
    }
    return found
}
