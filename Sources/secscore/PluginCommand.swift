import ArgumentParser
import PluginConformance
import PluginHost
import SecScoreWire

struct PluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Work with one plugin: check its protocol conformance or pin plugins by digest.",
        subcommands: [CheckCommand.self, LockCommand.self]
    )

    struct CheckCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Run the protocol conformance suite against a plugin executable.",
            discussion: """
                Each case starts a fresh process and sends it what a correct host would \
                (a request for each declared check with all the data it declares, a cancel, \
                a deadline, a small message limit) and what it never would (an unknown \
                protocol version, a frame before HELLO, a second HELLO, a reused request id, \
                a request without its required data, a 4 GiB length). A failure says what \
                the plugin did and what docs/PROTOCOL.md asks instead. Exit status 0 when \
                every case passes, 1 otherwise.
                """
        )

        @Argument(help: "The plugin executable.")
        var path: String

        @Option(help: "Seconds each case waits for the plugin.")
        var timeout: Double = 5

        func run() throws {
            let suite = ConformanceSuite(executable: PluginExecutable(path: path), timeout: .milliseconds(Int64(timeout * 1000)))
            let results = suite.run()
            let width = results.map(\.name.count).max() ?? 0
            for result in results {
                let pad = String(repeating: " ", count: width - result.name.count)
                print("\(result.passed ? "PASS" : "FAIL")  \(result.name)\(pad)  \(SafeText.sanitize(result.detail))")
            }
            let failed = results.filter { !$0.passed }.count
            print("conformance of \(path): \(results.count - failed) of \(results.count) cases passed")
            if failed > 0 { throw ExitCode(1) }
        }
    }

    struct LockCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lock",
            abstract: "Print a lock file pinning every discovered plugin by SHA-256.",
            discussion: "The output is sha256sum's format: save it and pass it to --lock."
        )

        @OptionGroup var plugins: PluginOptions

        func run() throws {
            for executable in try plugins.discover() {
                print("\(try executable.sha256())  \(executable.displayName)")
            }
        }
    }
}
