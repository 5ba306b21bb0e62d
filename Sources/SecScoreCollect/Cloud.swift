import Foundation

/// The three hosts a collection talks to, picked by `--cloud` and each
/// overridable (`--graph-endpoint`, `--partner-center-endpoint`,
/// `--authority`), which is also how the tests point collect at a fake.
///
/// Sources: Graph and sign-in hosts from "Microsoft Graph national cloud
/// deployments" (learn.microsoft.com/graph/deployments); Partner Center hosts
/// from "Different Partner Center REST URL end points"
/// (learn.microsoft.com/partner-center/developer/partner-center-rest-urls).
package struct CloudEndpoints: Sendable, Hashable {
    package enum Cloud: String, Sendable, CaseIterable {
        case global, usgov, usgovhigh, dod, china
    }

    /// Graph service root, without version (`https://graph.microsoft.com`).
    package var graph: String
    /// Partner Center REST root (`https://api.partnercenter.microsoft.com`).
    package var partnerCenter: String
    /// Sign-in authority host (`https://login.microsoftonline.com`).
    package var authority: String

    package init(graph: String, partnerCenter: String, authority: String) {
        self.graph = Self.trimmed(graph)
        self.partnerCenter = Self.trimmed(partnerCenter)
        self.authority = Self.trimmed(authority)
    }

    /// Microsoft's documented hosts for `cloud`. GCC (`usgov`) uses the
    /// commercial Graph and sign-in hosts; GCC High and DoD sign in at
    /// `login.microsoftonline.us`; Partner Center for the US Government
    /// cloud shares the commercial REST host.
    package init(cloud: Cloud) {
        switch cloud {
        case .global, .usgov:
            self.init(graph: "https://graph.microsoft.com", partnerCenter: "https://api.partnercenter.microsoft.com",
                      authority: "https://login.microsoftonline.com")
        case .usgovhigh:
            self.init(graph: "https://graph.microsoft.us", partnerCenter: "https://api.partnercenter.microsoft.com",
                      authority: "https://login.microsoftonline.us")
        case .dod:
            self.init(graph: "https://dod-graph.microsoft.us", partnerCenter: "https://api.partnercenter.microsoft.com",
                      authority: "https://login.microsoftonline.us")
        case .china:
            self.init(graph: "https://microsoftgraph.chinacloudapi.cn", partnerCenter: "https://partner.partnercenterapi.microsoftonline.cn",
                      authority: "https://login.chinacloudapi.cn")
        }
    }

    /// The `.default` scope of Graph in this cloud (national clouds use their own host).
    package var graphScope: String { Self.scopeHost(graph, fallback: "https://graph.microsoft.com") + "/.default" }
    /// The `.default` scope of Partner Center.
    package var partnerCenterScope: String {
        Self.scopeHost(partnerCenter, fallback: "https://api.partnercenter.microsoft.com") + "/.default"
    }

    /// Refuses anything but https, except plain http to a loopback address
    /// (127.0.0.0/8, ::1, localhost), where the tests' fake listens.
    package func validate() throws(CollectError) {
        for (name, url) in [("--graph-endpoint", graph), ("--partner-center-endpoint", partnerCenter), ("--authority", authority)] {
            try Self.validate(url, option: name)
        }
    }

    static func validate(_ url: String, option: String) throws(CollectError) {
        if url.hasPrefix("https://"), url.count > 8 { return }
        if url.hasPrefix("http://") {
            let host = Self.host(of: url)
            if Self.isLoopback(host) { return }
            throw CollectError(.usage, "\(option) \(url): plain http is accepted only for loopback addresses (127.0.0.1, ::1, localhost); use https")
        }
        throw CollectError(.usage, "\(option) \(url): expected an https:// URL")
    }

    /// True for 127.0.0.0/8, ::1 and localhost.
    package static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return false }
        return parts[0] == "127"
    }

    static func host(of url: String) -> String {
        var rest = Substring(url)
        if let r = rest.range(of: "://") { rest = rest[r.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if rest.hasPrefix("[") , let close = rest.firstIndex(of: "]") { return String(rest[...close]) }
        if let colon = rest.lastIndex(of: ":") { rest = rest[..<colon] }
        return String(rest)
    }

    private static func trimmed(_ url: String) -> String {
        var u = url
        while u.hasSuffix("/") { u.removeLast() }
        return u
    }

    /// A loopback fake keeps the real scope names: what a token is for does
    /// not change because the host is a test double.
    private static func scopeHost(_ url: String, fallback: String) -> String {
        isLoopback(host(of: url)) ? fallback : url
    }
}
