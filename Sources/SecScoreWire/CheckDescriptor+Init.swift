/// One way to build a check's manifest entry, shared by the Swift SDK's
/// `CheckDefinition` and secscore's own `Checker` declarations.
extension Secscore_Plugin_V1_CheckDescriptor {
    public init(
        requirementID: String, title: String, description: String,
        requiredFacets: [Secscore_Tenant_V1_Facet], optionalFacets: [Secscore_Tenant_V1_Facet],
        principalScope: Secscore_Plugin_V1_PrincipalScope
    ) {
        self.init()
        self.requirementID = requirementID
        self.title = title
        self.description_p = description
        self.requiredFacets = requiredFacets
        self.optionalFacets = optionalFacets
        self.principalScope = principalScope
    }
}
