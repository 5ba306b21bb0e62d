// A Swift SDK plugin for tests: each requirement exercises one SDK duty.
import Glibc
import Logging
import SecScorePluginKit
import SecScoreWire

@main
struct SwiftTestPlugin: SecScorePlugin {
    static let name = "swift-test-plugin"
    static let version = "0.0.1"
    static let maxConcurrentRequests = 8
    static let checks = [
        CheckDefinition(requirementID: "test.sleep", title: "Sleeps for parameter ms, honouring cancellation"),
        CheckDefinition(requirementID: "test.busy", title: "Ignores cancellation and spins for parameter ms"),
        CheckDefinition(requirementID: "test.count", title: "Spins for parameter ms without suspending, stopping when cancelled"),
        CheckDefinition(requirementID: "test.print", title: "Prints to stdout, then answers"),
        CheckDefinition(requirementID: "test.throw", title: "Throws a CheckError"),
        CheckDefinition(requirementID: "test.crash", title: "Throws an arbitrary error"),
        CheckDefinition(requirementID: "test.echo", title: "Echoes parameters and facet presence",
                        requiredFacets: [.securityContact], optionalFacets: [.users]),
        CheckDefinition(requirementID: "test.log", title: "Logs and reports progress"),
        CheckDefinition(requirementID: "test.big", title: "Answers with a finding larger than a frame"),
    ]

    func evaluate(_ request: CheckRequest) async throws -> Finding {
        let ms = Int(request.parameters["ms"]?.first ?? "0") ?? 0
        switch request.requirementID {
        case "test.sleep":
            try await Task.sleep(for: .milliseconds(ms))
            return .compliant(["slept \(ms) ms"])
        case "test.busy":
            let end = ContinuousClock.now + .milliseconds(ms)
            while ContinuousClock.now < end {}
            return .compliant(["spun \(ms) ms"])
        case "test.count":
            let start = ContinuousClock.now
            while ContinuousClock.now < start + .milliseconds(ms) {
                if Task.isCancelled {
                    // Reaches the host's log as a stderr line at once
                    // (print's stdout buffer would hold it until exit).
                    let line = Array("test.count cancelled after \(Int((ContinuousClock.now - start) / .milliseconds(1))) ms\n".utf8)
                    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
                    throw CancellationError()
                }
            }
            return .compliant(["counted \(ms) ms"])
        case "test.print":
            print("this print must go to stderr, not the protocol channel")
            _ = readLine()  // stdin is /dev/null: returns nil at once
            return .compliant(["printed"])
        case "test.throw":
            throw CheckError(.failedPrecondition, "the snapshot is inconsistent")
        case "test.crash":
            struct Oops: Error {}
            throw Oops()
        case "test.echo":
            var insights = request.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.joined(separator: ","))" }
            insights.append("securityContact=\(request.facets.hasSecurityContact ? "present" : "absent")")
            insights.append("users=\(request.facets.hasUsers ? "present" : "absent")")
            insights.append("asOf=\(request.context.asOf)")
            return .compliant(insights)
        case "test.log":
            // Through swift-log, and through the protocol-level shorthand;
            // and through the task-local logger a library would use.
            request.logger.info("working", metadata: ["step": "1"])
            request.log(.debug, "detail", ["k": "v"])
            Logger.current.warning("from a library")
            request.reportProgress(completed: 1, total: 2, message: "half")
            request.reportProgress(completed: 2, total: 2, message: "done")
            return .compliant(["logged"])
        case "test.big":
            let line = String(repeating: "z", count: 1000)
            return .notCompliant(Array(repeating: line, count: 6000))  // about 6 MB
        default:
            throw CheckError(.unimplemented, request.requirementID)
        }
    }
}
