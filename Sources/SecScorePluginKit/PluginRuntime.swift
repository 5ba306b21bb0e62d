import Glibc
import SecScorePOSIX
import SecScoreWire
import SwiftProtobuf
import SystemPackage

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
        let channel: ProtocolChannel
        do {
            channel = try ProtocolChannel.takeOverStandardIO()
        } catch {
            writeStderr("error: cannot set up the protocol channel: \(error)\n")
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
            return (try? FileDescriptor.standardOutput.writeAll(Array((json + "\n").utf8))) != nil ? 0 : 1
        } catch {
            writeStderr("error: cannot encode the manifest: \(error)\n")
            return 1
        }
    }
}

func writeStderr(_ text: String) {
    _ = try? FileDescriptor.standardError.writeAll(Array(text.utf8))
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
    let input: FileDescriptor
    let output: FileDescriptor

    /// - Throws: the `Errno` of the step that failed.
    static func takeOverStandardIO() throws(Errno) -> ProtocolChannel {
        // A host that stopped reading must fail our write with EPIPE, not
        // kill the plugin before it can say why.
        signal(SIGPIPE, SIG_IGN)
        // F_DUPFD_CLOEXEC, not dup: the new descriptors must not reach
        // processes the plugin's own code starts.
        func moveAboveStandard(_ fd: FileDescriptor) throws(Errno) -> FileDescriptor {
            let moved = fcntl(fd.rawValue, F_DUPFD_CLOEXEC, 3)
            guard moved >= 0 else { throw Errno(rawValue: errno) }
            return FileDescriptor(rawValue: moved)
        }
        let input = try moveAboveStandard(.standardInput)
        let output = try moveAboveStandard(.standardOutput)
        try FileDescriptor.standardError.duplicate(as: .standardOutput, options: [])
        if let null = try? FileDescriptor.open("/dev/null", .readOnly, options: [.closeOnExec]) {
            _ = try? null.duplicate(as: .standardInput, options: [])
            try? null.close()
        }
        return ProtocolChannel(input: input, output: output)
    }
}
