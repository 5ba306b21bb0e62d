import CSecScoreHostShims

/// Takes every running plugin down with the host when the host is told to
/// stop.
///
/// SIGINT, SIGTERM, SIGHUP and SIGQUIT end a process without running its
/// cleanup, so its plugin sessions never reach their teardown and the plugins
/// (in process groups of their own) would run on. After `install()`, each of
/// those signals first sends SIGKILL to every live plugin's process group
/// (from a lock-free table, safe inside a signal handler), then is handed on:
/// to the handler installed before, or, under the default disposition, the
/// host dies of the same signal, as its caller expects. A signal the host
/// ignores at install time (`nohup`) stays ignored.
///
/// Signal dispositions belong to the whole program, so spawning a plugin
/// never installs these: the host program opts in from its `main` (the
/// secscore CLI does), and a program that embeds `PluginHost` with signal
/// handling of its own can instead shut its `PluginSet` down. (Spawning does
/// ignore SIGPIPE when its disposition is still the default: see
/// `PluginProcess.spawn`.)
public enum TerminationHandlers {
    /// Installs the handlers; later calls do nothing.
    public static func install() {
        ss_install_termination_handlers()
    }

    /// True once `install()` has been called in this process.
    public static var isInstalled: Bool { ss_termination_handlers_installed() != 0 }
}
