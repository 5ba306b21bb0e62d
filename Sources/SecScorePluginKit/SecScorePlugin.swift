public import SecScoreWire
import SecScorePOSIX

/// A requirement-check plugin. Write one type that conforms, mark it
/// `@main`, and the SDK does the rest: framing, handshake, concurrency,
/// deadlines, cancellation, logging and keeping stray prints off the
/// protocol channel.
///
/// ```swift
/// @main
/// struct MyPlugin: SecScorePlugin {
///     static let name = "my-plugin"
///     static let version = "1.0.0"
///     static let checks = [
///         CheckDefinition(requirementID: "example.contact", title: "A contact exists",
///                         requiredFacets: [.securityContact])
///     ]
///     func evaluate(_ request: CheckRequest) async throws -> Finding {
///         request.facets.securityContact.email.isEmpty
///             ? .notCompliant(["No email address."])
///             : .compliant(["An email address is set."])
///     }
/// }
/// ```
public protocol SecScorePlugin: Sendable {
    /// The plugin's name, shown in reports and logs.
    static var name: String { get }
    /// The plugin's version.
    static var version: String { get }
    /// The checks this plugin provides; the manifest sent in WELCOME.
    static var checks: [CheckDefinition] { get }
    /// Requests the host may have in flight at once (default 4).
    static var maxConcurrentRequests: Int { get }

    init()

    /// Evaluates one requirement. Called concurrently, up to
    /// `maxConcurrentRequests` at a time, on fresh tasks that are cancelled
    /// when the host cancels the request or its deadline passes. A task
    /// starts on the thread that read its request (`Task.immediate`) and
    /// moves to the concurrency pool at its first suspension; while it runs
    /// there, a second SDK thread keeps reading, so a check that never
    /// suspends still gets its CANCEL and deadline within about 1 ms. Such a
    /// check should watch `Task.isCancelled` in long loops, as any should.
    /// - Throws: `CheckError` to answer with a specific code; any other
    ///   error answers `internal` with its description.
    func evaluate(_ request: CheckRequest) async throws -> Finding
}

extension SecScorePlugin {
    public static var maxConcurrentRequests: Int { 4 }

    /// The entry point `@main` uses: runs the protocol on stdin/stdout, or
    /// prints the manifest as JSON for `--describe`.
    public static func main() async {
        // Process-wide, so here and not in the session: large requests
        // reuse heap memory instead of being faulted in afresh each time,
        // and every thread allocates from the main heap.
        LargeBlockAllocator.configure(singleArena: true)
        let code = await PluginRuntime.run(Self.self, arguments: CommandLine.arguments)
        exitProcess(code)
    }
}

/// One check a plugin provides.
public struct CheckDefinition: Sendable, Hashable {
    public var requirementID: String
    public var title: String
    public var description: String
    /// Facets the check cannot run without.
    public var requiredFacets: [Secscore_Tenant_V1_Facet]
    /// Facets it uses when the snapshot has them.
    public var optionalFacets: [Secscore_Tenant_V1_Facet]
    /// Which users it receives: every one, or only directory-role holders
    /// (least privilege for checks about administrators).
    public var principalScope: Secscore_Plugin_V1_PrincipalScope

    public init(
        requirementID: String, title: String, description: String = "",
        requiredFacets: [Secscore_Tenant_V1_Facet] = [], optionalFacets: [Secscore_Tenant_V1_Facet] = [],
        principalScope: Secscore_Plugin_V1_PrincipalScope = .all
    ) {
        self.requirementID = requirementID
        self.title = title
        self.description = description
        self.requiredFacets = requiredFacets
        self.optionalFacets = optionalFacets
        self.principalScope = principalScope
    }

    var descriptor: Secscore_Plugin_V1_CheckDescriptor {
        Secscore_Plugin_V1_CheckDescriptor(
            requirementID: requirementID, title: title, description: description,
            requiredFacets: requiredFacets, optionalFacets: optionalFacets, principalScope: principalScope)
    }
}

/// An error a check throws to answer with a specific canonical code.
public struct CheckError: Error, Sendable, CustomStringConvertible {
    public var code: Secscore_Plugin_V1_Code
    public var message: String

    public init(_ code: Secscore_Plugin_V1_Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
