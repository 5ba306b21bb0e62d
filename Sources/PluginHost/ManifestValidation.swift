import SecScoreWire

/// Checks a WELCOME before the host trusts anything in it.
enum ManifestValidation {
    enum Validated {
        case valid(PluginInfo)
        case invalid(String)
    }

    static let maxChecks = 256
    static let maxTextBytes = 4096

    /// Returns the info to use, or a sentence saying what is wrong.
    static func validate(
        _ welcome: Secscore_Plugin_V1_Welcome,
        fallbackName: String,
        configuration: PluginHostConfiguration
    ) -> Validated {
        guard welcome.protocolMajor == ProtocolLimits.protocolMajor else {
            return .invalid(
                "WELCOME chose protocol major \(welcome.protocolMajor), but HELLO offered only \(ProtocolLimits.protocolMajor)")
        }
        let checks = welcome.manifest.checks
        guard checks.count <= maxChecks else {
            return .invalid("manifest declares \(checks.count) checks; at most \(maxChecks) are allowed")
        }
        var seen = Set<String>()
        let knownFacets = Set(Secscore_Tenant_V1_Facet.allCases.filter { $0 != .unspecified })
        for (index, check) in checks.enumerated() {
            let id = check.requirementID
            guard isValidRequirementID(id) else {
                return .invalid(
                    "manifest check \(index) has requirement id \"\(SafeText.sanitize(id, limit: 80))\"; expected 1 to 128 characters from A-Z a-z 0-9 . _ -")
            }
            guard seen.insert(id).inserted else {
                return .invalid("manifest declares requirement \(id) twice")
            }
            for facet in check.requiredFacets + check.optionalFacets where !knownFacets.contains(facet) {
                return .invalid(
                    "check \(id) declares facet \(facet.rawValue), which this host does not know (it knows \(knownFacets.map(\.rawValue).sorted().map(String.init).joined(separator: ", ")))")
            }
        }
        var name = SafeText.sanitize(welcome.pluginName, limit: 128)
        if name.isEmpty { name = fallbackName }
        let concurrency = Int(max(1, min(UInt32(configuration.maxConcurrentRequests), max(welcome.maxConcurrentRequests, 1))))
        // 0 is the default; below 64 KiB reads as 64 KiB, the least every
        // receiver must take (docs/PROTOCOL.md §2).
        let maxMessage = welcome.maxMessageBytes == 0
            ? ProtocolLimits.defaultMaxMessageBytes : max(welcome.maxMessageBytes, UInt64(ProtocolLimits.minimumMaxFrameBytes))
        return .valid(
            PluginInfo(
                name: name,
                version: SafeText.sanitize(welcome.pluginVersion, limit: 128),
                sdk: SafeText.sanitize(welcome.sdk, limit: 128),
                protocolMajor: welcome.protocolMajor,
                protocolMinor: welcome.protocolMinor,
                maxConcurrentRequests: concurrency,
                maxFrameBytes: ProtocolLimits.negotiatedFrameLimit(configuration.maxFrameBytes, welcome.maxFrameBytes),
                maxMessageBytes: maxMessage,
                manifest: welcome.manifest
            ))
    }

    static func isValidRequirementID(_ id: String) -> Bool {
        guard (1...128).contains(id.utf8.count) else { return false }
        return id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        }
    }
}
