public import SecScoreWire
import SwiftProtobuf

extension PluginExecutable {
    /// Runs the plugin with `--describe` and parses the manifest it prints,
    /// without starting a session. Used to list plugins.
    /// - Throws: `PluginError` when it cannot run, does not exit 0 in time,
    ///   or prints something that is not a Welcome in protobuf JSON.
    public func describe(timeout: Duration = .seconds(5)) throws(PluginError) -> Secscore_Plugin_V1_Welcome {
        var command = self
        command.arguments = ["--describe"]
        let session = try RawSession(command)
        session.closeStdin()
        let output = session.drainStdout(timeout: timeout)
        guard let status = session.waitForExit(timeout: timeout) else {
            throw PluginError(.handshakeFailed, plugin: displayName, "--describe did not finish within \(timeout)")
        }
        guard status == .exited(0) else {
            let stderr = SafeText.sanitize(session.stderr, limit: 300)
            throw PluginError(.handshakeFailed, plugin: displayName, "--describe \(status)\(stderr.isEmpty ? "" : ": \(stderr)")")
        }
        do {
            var options = JSONDecodingOptions()
            options.ignoreUnknownFields = true
            return try Secscore_Plugin_V1_Welcome(jsonString: String(decoding: output, as: UTF8.self), options: options)
        } catch {
            throw PluginError(.protocolViolation, plugin: displayName, "--describe printed something that is not a Welcome in protobuf JSON: \(error)")
        }
    }

    /// The SHA-256 of the file, as `secscore plugin lock` records it.
    public func sha256() throws(PluginError) -> String {
        let opened = try OpenedExecutable(self, computeDigest: true)
        return opened.sha256 ?? ""
    }
}
