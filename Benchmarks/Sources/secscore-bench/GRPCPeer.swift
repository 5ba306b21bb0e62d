import BenchGRPC
import Glibc
import GRPCCore
import GRPCNIOTransportHTTP2
import SecScoreWire

/// A gRPC server process and a client connected to it over a Unix domain
/// socket: the comparison the plugin protocol is measured against.
final class GRPCPeer {
    let pid: pid_t
    let socket: String
    let client: GRPCClient<HTTP2ClientTransport.Posix>
    let connections: Task<Void, any Error>

    private init(pid: pid_t, socket: String, client: GRPCClient<HTTP2ClientTransport.Posix>, connections: Task<Void, any Error>) {
        self.pid = pid
        self.socket = socket
        self.client = client
        self.connections = connections
    }

    /// Starts `server`, waits for its "ready" line, and connects.
    static func start(server: String) async throws -> GRPCPeer {
        let socket = "/tmp/secscore-bench-grpc-\(getpid()).sock"
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw BenchError("pipe failed") }
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(server), strdup(socket), nil]
        let rc = posix_spawn(&pid, server, &actions, nil, argv, environ)
        argv.forEach { free($0) }
        posix_spawn_file_actions_destroy(&actions)
        close(fds[1])
        guard rc == 0 else { close(fds[0]); throw BenchError("cannot start \(server): \(String(cString: strerror(rc)))") }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(fds[0], &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
        close(fds[0])
        guard String(decoding: line, as: UTF8.self) == "ready" else {
            kill(pid, SIGKILL)
            waitpid(pid, nil, 0)
            throw BenchError("\(server) did not start")
        }
        let client = GRPCClient(
            transport: try .http2NIOPosix(target: .unixDomainSocket(path: socket), transportSecurity: .plaintext))
        let connections = Task { try await client.runConnections() }
        return GRPCPeer(pid: pid, socket: socket, client: client, connections: connections)
    }

    /// Round-trip times of unary calls, in microseconds.
    func samples(payload: Int, warmup: Int, iterations: Int) async throws -> [Double] {
        let service = Secscore_Bench_V1_PluginService.Client(wrapping: client)
        let r = request(payloadBytes: payload, requirement: "example.contactDomain")
        for _ in 0..<warmup { _ = try await service.evaluate(r) }
        var out: [Double] = []
        out.reserveCapacity(iterations)
        for _ in 0..<iterations {
            let t0 = nowMicros()
            _ = try await service.evaluate(r)
            out.append(nowMicros() - t0)
        }
        return out
    }

    func stop() async {
        client.beginGracefulShutdown()
        _ = try? await connections.value
        kill(pid, SIGKILL)
        waitpid(pid, nil, 0)
        unlink(socket)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
