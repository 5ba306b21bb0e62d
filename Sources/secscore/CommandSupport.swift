// Public: the conformances below are of public types.
public import ArgumentParser
import Glibc
import SecScoreModel
import SecScoreReports

/// A command that cannot do its job for a reason other than its command
/// line: a file it cannot read or write, input it cannot use. Printed as is,
/// without a usage line, and the exit status is 2 ("nothing evaluated").
struct CommandFailure: Error, CustomStringConvertible {
    /// The whole line printed to stderr.
    let description: String

    init(_ description: String) { self.description = description }
}

extension ReportFormat: ExpressibleByArgument {}
extension FailureCondition: ExpressibleByArgument {}

extension RunVerdict {
    /// The documented exit status: 0 passed, 1 the --fail-on condition met,
    /// 3 could not check (2 is for usage and input errors, nothing evaluated).
    var exitCode: ExitCode {
        switch self {
        case .passed: .success
        case .conditionMet: ExitCode(1)
        case .couldNotCheck: ExitCode(3)
        }
    }
}

func terminalWidth() -> Int {
    var size = winsize()
    if isatty(1) != 0, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    if let columns = getenv("COLUMNS").flatMap({ Int(String(cString: $0)) }) { return columns }
    return 100
}

func printError(_ text: String, newline: Bool = true) {
    var line = newline ? text + "\n" : text
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// Now, in Unix milliseconds.
func nowMillis() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec / 1_000_000)
}
