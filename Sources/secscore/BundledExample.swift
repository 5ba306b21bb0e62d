import Glibc
import PluginHost

/// Where the bundled example snapshot lives: next to a source checkout's
/// build folder, or installed under share/secscore.
enum BundledExample {
    static let name = "fabrikam-distributor"

    /// - Throws: `CommandFailure` when no copy is installed.
    static func path() throws(CommandFailure) -> String {
        let exe = PluginDiscovery.executableDirectory() ?? "."
        let candidates = [
            exe + "/../../../Examples/snapshots/" + name,  // .build/<triple>/<config>/secscore
            exe + "/../../Examples/snapshots/" + name,  // .build/<config>/secscore
            exe + "/../share/secscore/examples/" + name,
            exe + "/../../share/secscore/examples/" + name,  // PREFIX/libexec/secscore/secscore (make install)
        ]
        for candidate in candidates {
            var st = stat()
            if stat(candidate, &st) == 0 { return candidate }
        }
        throw CommandFailure("error: the bundled example snapshot is not installed; pass a SNAPSHOT_DIR")
    }
}
