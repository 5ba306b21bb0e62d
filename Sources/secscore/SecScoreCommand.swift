import ArgumentParser

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
            """,
        version: "0.1.0",
        subcommands: [EvaluateCommand.self, CatalogCommand.self, ExplainCommand.self, PluginsCommand.self, PluginCommand.self]
    )
}
