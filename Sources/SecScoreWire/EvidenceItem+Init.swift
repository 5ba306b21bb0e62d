/// One way to build an evidence item, shared by the Swift SDK and the
/// checkers that run in process.
extension Secscore_Plugin_V1_EvidenceItem {
    public init(
        kind: String, id: String, name: String = "", status: String = "",
        reasons: [String] = [], attributes: [(String, String)] = []
    ) {
        self.init()
        self.kind = kind
        self.id = id
        self.name = name
        self.status = status
        self.reasons = reasons
        self.attributes = attributes.map { pair in
            var a = Secscore_Plugin_V1_Attribute()
            a.name = pair.0
            a.value = pair.1
            return a
        }
    }
}
