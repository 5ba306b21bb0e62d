import ArgumentParser
import PluginHost
import Glibc

@main
struct SecScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secscore",
        abstract: "Score a CSP partner's security posture the way Partner Center's Security requirements dashboard does.",
        discussion: """
            Requirement checks run as plugins: separate processes that speak a small \
            protobuf protocol on their stdin and stdout (docs/PROTOCOL.md). The shipped \
            plugins live next to this executable; add your own with --plugin-dir or \
            SECSCORE_PLUGIN_PATH.

            Exit status: 0 evaluated and the --fail-on condition not met; 1 evaluated and \
            met; 2 usage or input error, nothing evaluated; 3 evaluated but at least one \
            check could not run.
            """,
        version: "0.1.0",
        subcommands: [EvaluateCommand.self, CollectCommand.self, HistoryCommand.self, ChangesCommand.self, CatalogCommand.self, ExplainCommand.self, PluginsCommand.self, PluginCommand.self, SynthCommand.self]
    )

    /// Runs the command; usage errors exit 2 (documented), not
    /// ArgumentParser's 64, so scripts see one code for "nothing evaluated".
    static func main() async {
        // Process-wide, so decided here and not inside the library: plugins'
        // descendants that leave their process group are handed to this
        // process and ended with their plugin's session.
        DescendantReaper.adoptEscapedDescendants()
        // Likewise: SIGINT, SIGTERM, SIGHUP and SIGQUIT kill every plugin's
        // process group before this process dies of them.
        TerminationHandlers.install()
        // And malloc's: large plugin messages reuse heap memory instead of
        // being mapped and faulted in afresh each time.
        MessageMemory.keepLargeBlocks()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            printError(failure.description)
            Glibc.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                printError(fullMessage(for: error))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}
