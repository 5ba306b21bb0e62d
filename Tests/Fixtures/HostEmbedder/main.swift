// A program that embeds PluginHost, for HostSignalTests: prints the signal
// dispositions it has before any plugin runs, after a plugin session, and
// after TerminationHandlers.install(), one line each, a handler by address
// (the Swift runtime installs one for SIGQUIT, to print backtraces):
//   before SIGINT=default SIGTERM=default SIGHUP=default SIGQUIT=handler:7f… SIGPIPE=default
// Its own process, so no other test can have installed anything first.
import Glibc
import PluginHost

func dispositions() -> String {
    let signals: [(String, Int32)] = [("SIGINT", SIGINT), ("SIGTERM", SIGTERM), ("SIGHUP", SIGHUP), ("SIGQUIT", SIGQUIT), ("SIGPIPE", SIGPIPE)]
    return signals.map { name, signal in
        var action = sigaction()
        sigaction(signal, nil, &action)
        // SIG_DFL is 0 and SIG_IGN 1; anything else is a handler (the
        // union holds sa_handler or sa_sigaction at the same address).
        let raw = unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
        let kind = raw == 0 ? "default" : raw == 1 ? "ignore" : "handler:" + String(raw, radix: 16)
        return "\(name)=\(kind)"
    }.joined(separator: " ")
}

guard CommandLine.arguments.count == 2 else {
    print("usage: test-host-embedder PLUGIN")
    exit(2)
}
print("before \(dispositions())")
do {
    let connection = try await PluginConnection.launch(PluginExecutable(path: CommandLine.arguments[1]))
    let status = await connection.shutdown()
    print("session \(status.map { "\($0)" } ?? "none")")
} catch {
    print("session failed: \(error)")
    exit(1)
}
print("after-spawn \(dispositions()) installed=\(TerminationHandlers.isInstalled)")
TerminationHandlers.install()
print("after-install \(dispositions()) installed=\(TerminationHandlers.isInstalled)")
