import SecScoreSynth
import SecScoreTestSupport
import SecScoreWire
import TenantSnapshot
import Testing

/// The registry is the one list of snapshot files: every facet has one
/// entry, and the loader, the file-name lists and `facets(only:)` follow it.
@Suite("Facet registry")
struct FacetRegistryTests {
    @Test func everyFacetHasExactlyOneEntry() {
        for facet in Secscore_Tenant_V1_Facet.allCases where facet != .unspecified {
            #expect(FacetRegistry.entries.filter { $0.facet == facet }.count == 1, "\(facet)")
            #expect(FacetRegistry.entry(for: facet)?.facet == facet)
        }
        #expect(!FacetRegistry.entries.contains { $0.facet == .unspecified })
        #expect(FacetRegistry.entry(for: .unspecified) == nil)
        #expect(FacetRegistry.entry(for: .UNRECOGNIZED(99)) == nil)
    }

    @Test func fileNamesComeFromTheRegistry() {
        let names = FacetRegistry.entries.flatMap { [$0.fileName] + $0.mergedFileNames }
        #expect(Set(names).count == names.count, "a file is listed twice")
        // Beside the facets' files: collect's manifest and Microsoft's own
        // score, which the host reads and no check does.
        #expect(TenantSnapshot.knownFileNames == Set(names).union(["collection.json", "microsoftScore.json"]))
        #expect(TenantSnapshot.knownFileNames.contains("perUserMfa.json"))
        #expect(TenantSnapshot.fileNames.count == FacetRegistry.entries.count)
        for entry in FacetRegistry.entries { #expect(TenantSnapshot.fileNames[entry.facet] == entry.fileName) }
        #expect(TenantSnapshot.fileNames[.users] == "users.json")
        #expect(TenantSnapshot.fileNames[.roleEligibilities] == "roleEligibilitySchedules.json")
    }

    /// A synthetic snapshot with every facet's file.
    static func everyFile() throws -> ScratchDirectory {
        let dir = ScratchDirectory()
        try SnapshotSynthesizer(size: SynthSize(), seed: 7).write(to: dir.path)
        dir.write("groupEligibilitySchedules.json", #"{"value": [{"id": "e1", "groupId": "g1", "principalId": "u1", "accessId": "member"}]}"#)
        return dir
    }

    @Test func eachEntryFeedsAFieldOfItsOwn() throws {
        let dir = try Self.everyFile()
        let snapshot = try SnapshotLoader.load(directory: dir.path)
        #expect(snapshot.presentFacets == Set(FacetRegistry.entries.map(\.facet)))
        #expect(snapshot.unreadFiles.isEmpty)
        let alone = FacetRegistry.entries.map { snapshot.facets(only: [$0.facet]) }
        for (i, facets) in alone.enumerated() {
            #expect(facets != Secscore_Tenant_V1_Facets(), "\(FacetRegistry.entries[i].facet) feeds nothing")
            for other in alone[(i + 1)...] { #expect(facets != other) }
        }
        // Together they are the whole snapshot: no field is left out or fed twice.
        #expect(snapshot.facets(only: FacetRegistry.entries.map(\.facet)) == snapshot.facets)
    }

    @Test func eachFileAloneLoadsItsFacetAlone() throws {
        let all = try Self.everyFile()
        for entry in FacetRegistry.entries {
            let dir = ScratchDirectory()
            dir.write(entry.fileName, try readFile(all.path + "/" + entry.fileName))
            let snapshot = try SnapshotLoader.load(directory: dir.path)
            #expect(snapshot.presentFacets == [entry.facet], "\(entry.fileName)")
        }
    }

    /// A present file with no items still marks its facet present, so a
    /// check can tell "none" from "not collected".
    @Test func anEmptyCollectionIsPresent() throws {
        let snapshot = try loadSnapshot("groups.json", #"{"value": []}"#)
        #expect(snapshot.presentFacets == [.groups])
        #expect(snapshot.facets(only: [.groups]).hasGroups)
        #expect(!snapshot.facets(only: [.users]).hasUsers)
    }
}
