// A gRPC server over a Unix domain socket for the rpc benchmark:
//   bench-grpc-server SOCKET_PATH
// Prints "ready" on stdout once it listens; runs until killed.
import BenchGRPC
import Glibc
import GRPCCore
import GRPCNIOTransportHTTP2

let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "/tmp/secscore-bench-grpc.sock"
unlink(path)
let server = GRPCServer(
    transport: .http2NIOPosix(address: .unixDomainSocket(path: path), transportSecurity: .plaintext),
    services: [PluginServiceImpl()])
try await withThrowingDiscardingTaskGroup { group in
    group.addTask { try await server.serve() }
    if try await server.listeningAddress != nil {
        _ = write(1, "ready\n", 6)
    }
}
