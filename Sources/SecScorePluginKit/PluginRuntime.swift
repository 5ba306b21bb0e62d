import Glibc
import SecScorePOSIX
import SecScoreWire
import SwiftProtobuf

/// Runs a plugin type: `--describe`, or a protocol session on stdin/stdout.
enum PluginRuntime {
    static let sdkName = "secscore-swift 0.1.0"

    static func run<P: SecScorePlugin>(_ type: P.Type, arguments: [String]) async -> Int32 {
        let args = Array(arguments.dropFirst())
        if args == ["--describe"] {
            return describe(type)
        }
        if !args.isEmpty {
            let message = args.contains("--help") || args.contains("-h")
                ? "\(P.name) \(P.version): a secscore plugin. The secscore host runs it; it speaks the plugin protocol on stdin and stdout.\n  --describe   print the manifest as JSON and exit\n"
                : "error: unexpected arguments \(args); a secscore plugin takes none (or --describe)\n"
            writeStderr(message)
            return args.contains("--help") || args.contains("-h") ? 0 : 2
        }
        guard let channel = ProtocolChannel.takeOverStandardIO() else {
            writeStderr("error: cannot set up the protocol channel: \(String(cString: strerror(errno)))\n")
            return 1
        }
        let session = PluginSession(plugin: P(), channel: channel, welcome: welcome(type))
        return await session.run()
    }

    static func welcome<P: SecScorePlugin>(_ type: P.Type) -> Secscore_Plugin_V1_Welcome {
        var w = Secscore_Plugin_V1_Welcome()
        w.protocolMajor = ProtocolLimits.protocolMajor
        w.protocolMinor = ProtocolLimits.protocolMinor
        w.pluginName = P.name
        w.pluginVersion = P.version
        w.sdk = sdkName
        w.maxFrameBytes = ProtocolLimits.defaultMaxFrameBytes
        w.maxConcurrentRequests = UInt32(clamping: max(1, P.maxConcurrentRequests))
        w.maxMessageBytes = ProtocolLimits.defaultMaxMessageBytes
        w.manifest.checks = P.checks.map(\.descriptor)
        return w
    }

    /// Prints the WELCOME the plugin would send, in protobuf's JSON mapping.
    static func describe<P: SecScorePlugin>(_ type: P.Type) -> Int32 {
        do {
            var options = JSONEncodingOptions()
            options.alwaysPrintEnumsAsInts = false
            let json = try welcome(type).jsonString(options: options)
            let text = json + "\n"
            let rc = text.utf8CString.withUnsafeBytes { raw in
                writeAll(1, UnsafeRawBufferPointer(rebasing: raw.dropLast()))
            }
            return rc == 0 ? 0 : 1
        } catch {
            writeStderr("error: cannot encode the manifest: \(error)\n")
            return 1
        }
    }
}

func writeStderr(_ text: String) {
    var text = text
    text.withUTF8 { _ = writeAll(2, UnsafeRawBufferPointer($0)) }
}

/// Ends the process without running atexit handlers of the host language
/// runtime that could touch the protocol channel.
func exitProcess(_ code: Int32) -> Never {
    exit(code)
}

/// The protocol's private descriptors. Taking over standard I/O moves the
/// protocol off fds 0 and 1 and points 1 at stderr and 0 at /dev/null, so
/// a stray `print` or `readLine` in plugin code cannot corrupt the stream.
struct ProtocolChannel: Sendable {
    let input: Int32
    let output: Int32

    static func takeOverStandardIO() -> ProtocolChannel? {
        signal(SIGPIPE, SIG_IGN)
        let input = fcntl(0, F_DUPFD_CLOEXEC, 3)
        let output = fcntl(1, F_DUPFD_CLOEXEC, 3)
        guard input >= 0, output >= 0 else { return nil }
        guard dup2(2, 1) >= 0 else { return nil }
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        if null >= 0 {
            dup2(null, 0)
            close(null)
        }
        return ProtocolChannel(input: input, output: output)
    }
}
