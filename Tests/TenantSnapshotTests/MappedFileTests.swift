import Foundation
import SecScoreJSON
import SecScoreTestSupport
import SecScoreWire
@testable import TenantSnapshot
import Testing

/// Collection files of 1 MiB or more are mapped instead of read
/// (`SnapshotLoader.withUTF8Bytes`); they must load, and fail, exactly as
/// read ones do, in every encoding the loader accepts.
@Suite("Mapped snapshot files")
struct MappedFileTests {
    /// A users.json of `count` users, over 1 MiB from 15,000 on.
    static func users(_ count: Int, last: String? = nil) -> String {
        var items = (0..<count).map { #"{"id": "00000001-002a-4000-8000-\#(String(repeating: "0", count: 12 - String($0).count) + String($0))", "userPrincipalName": "user\#($0)@partner.example.com", "accountEnabled": true}"# }
        if let last { items.append(last) }
        return #"{"value": ["# + items.joined(separator: ",\n") + "]}"
    }

    @Test func aLargeFileLoadsAsAReadOneDoes() throws {
        let text = Self.users(20_000)
        #expect(text.utf8.count > 1 << 20)
        let dir = ScratchDirectory()
        dir.write("users.json", text)
        let users = try SnapshotLoader.load(directory: dir.path).facets.users.items
        #expect(users.count == 20_000)
        #expect(users[19_999].userPrincipalName == "user19999@partner.example.com")
        // With a UTF-8 byte-order mark, as PowerShell 7 may write.
        let bom = ScratchDirectory()
        bom.writeBytes("users.json", [0xEF, 0xBB, 0xBF] + Array(text.utf8))
        #expect(try SnapshotLoader.load(directory: bom.path).facets.users.items.count == 20_000)
    }

    /// Users enough for a file of 1 MiB or more, and for one past two of
    /// the steps in which parsed pages are given back (the error is then
    /// found after some were: its line and column are counted again from
    /// the start, through pages mapped back in).
    static let largeCounts = [20_000, 25_000]

    /// The error of a large file names the same line and column as the
    /// parser over the same bytes in memory.
    @Test(arguments: largeCounts)
    func aSyntaxErrorNamesTheSamePlace(count: Int) throws {
        let text = Self.users(count, last: #"{"id": "x", "accountEnabled": tru}"#)
        if count == Self.largeCounts.last { #expect(text.utf8.count > 2 * MappedFile.releaseStep) }
        let dir = ScratchDirectory()
        dir.write("users.json", text)
        var inMemory = ""
        do {
            _ = try JSONParser.parseCollection(Array(text.utf8)) { (_, _, _) throws(JSONInputError) in }
        } catch {
            if case .syntax(let e) = error { inMemory = e.description }
        }
        #expect(inMemory.hasPrefix("line \(count + 1), column "))
        #expect(loadMessage(dir) == "users.json: is not valid JSON: \(inMemory)")
    }

    @Test(arguments: largeCounts)
    func aRepeatedIDInALargeFileIsNamed(count: Int) {
        let dir = ScratchDirectory()
        dir.write("users.json", Self.users(count, last: #"{"id": "00000001-002a-4000-8000-000000000007"}"#))
        #expect(loadMessage(dir) == #"users.json: $.value[\#(count)].id: duplicate id "00000001-002a-4000-8000-000000000007", already used at $.value[7]"#)
    }

    /// UTF-16 is read and transcoded whatever its size; without a
    /// byte-order mark it is refused with the fix.
    @Test func largeUTF16FilesAreReadNotMapped() throws {
        let text = Self.users(20_000)
        for le in [true, false] {
            let dir = ScratchDirectory()
            dir.writeBytes("users.json", InputVariantsTests.utf16(text, littleEndian: le))
            #expect(try SnapshotLoader.load(directory: dir.path).facets.users.items.count == 20_000)
        }
        let dir = ScratchDirectory()
        dir.writeBytes("users.json", InputVariantsTests.utf16(text, littleEndian: true, bom: false))
        #expect(loadMessage(dir).contains("looks like UTF-16 without a byte-order mark"))
    }

    /// Only a regular file of 1 MiB or more is mapped; a named pipe is not
    /// even opened to find out.
    @Test(.timeLimit(.minutes(1)))
    func onlyRegularFilesOf1MiBOrMoreAreMapped() throws {
        let dir = ScratchDirectory()
        let exact = dir.writeBytes("exact.json", [UInt8](repeating: 0x20, count: 1 << 20))
        let under = dir.writeBytes("under.json", [UInt8](repeating: 0x20, count: (1 << 20) - 1))
        let mapped = try #require(MappedFile(exact))
        #expect(mapped.bytes.count == 1 << 20 && mapped.bytes.allSatisfy { $0 == 0x20 })
        mapped.unmap()
        #expect(MappedFile(under) == nil)
        #expect(MappedFile(dir.path) == nil)
        #expect(MappedFile(dir.path + "/missing.json") == nil)
        #expect(mkfifo(dir.path + "/fifo.json", 0o600) == 0)
        #expect(MappedFile(dir.path + "/fifo.json") == nil)  // would block if it opened it
    }

    /// A named pipe (process substitution, `mkfifo`) is opened once and
    /// read to its end, as before files were mapped.
    @Test(.timeLimit(.minutes(1)))
    func aNamedPipeIsReadOnce() throws {
        signal(SIGPIPE, SIG_IGN)  // a second open would cut the writer off: fail, not die
        let dir = ScratchDirectory()
        let path = dir.path + "/users.json"
        #expect(mkfifo(path, 0o600) == 0)
        let text = Self.users(20_000)
        let writer = Thread {
            let f = fopen(path, "w")
            fputs(text, f)
            fclose(f)
        }
        writer.start()
        #expect(try SnapshotLoader.load(directory: dir.path).facets.users.items.count == 20_000)
    }

    /// Pages given back while a file is parsed leave this process (its
    /// resident size for the mapping falls) and read back the same bytes.
    @Test func releasedPagesLeaveAndReadBackTheSame() throws {
        let step = MappedFile.releaseStep
        let count = 3 * step + 12_345
        let dir = ScratchDirectory()
        let path = dir.writeBytes("big.json", (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 13) })
        let mapped = try #require(MappedFile(path))
        defer { mapped.unmap() }
        func checksum() -> UInt64 { mapped.bytes.reduce(0) { $0 &* 1_099_511_628_211 &+ UInt64($1) } }
        let before = checksum()  // every page touched
        let residentBefore = try #require(residentKiB(of: mapped.bytes.baseAddress!))
        var released = 0
        mapped.release(before: step - 1, released: &released)
        #expect(released == 0)  // not a whole step yet
        mapped.release(before: 2 * step + 100, released: &released)
        #expect(released == 2 * step)
        mapped.release(before: step, released: &released)  // behind: nothing
        #expect(released == 2 * step)
        let residentAfter = try #require(residentKiB(of: mapped.bytes.baseAddress!))
        #expect(residentBefore - residentAfter >= 2 * step / 1024)
        #expect(checksum() == before)
        mapped.release(before: .max, released: &released)  // clamped to the file
        #expect(released == count / step * step)
    }

    /// The loader gives a mapped file's pages back as it parses: near the
    /// end of a file of many release steps, at most two steps of it are
    /// resident (the one being parsed and the one before).
    @Test func theLoaderGivesBackThePagesItParsed() throws {
        let count = 80_000
        let dir = ScratchDirectory()
        let path = dir.write("users.json", Self.users(count))
        let size = try #require(try SnapshotLoader.readRawBytes(path)).count
        #expect(size > 8 * MappedFile.releaseStep)
        var decoded = 0
        var residentAtTheEnd: Int?
        let items = try #require(
            try SnapshotLoader.streamedCollection(path) { _ in
                decoded += 1
                if decoded == count { residentAtTheEnd = residentKiB(ofFile: path) }
                return decoded
            })
        #expect(items.count == count)
        let resident = try #require(residentAtTheEnd, "no mapping of \(path) in /proc/self/smaps")
        #expect(resident * 1024 <= 2 * MappedFile.releaseStep, "\(resident) KiB of a \(size / 1024) KiB file resident")
    }

    /// The resident KiB of the mapping of the file at `path`, from /proc/self/smaps.
    func residentKiB(ofFile path: String) -> Int? {
        guard let smaps = try? readFile("/proc/self/smaps") else { return nil }
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), !line.hasPrefix(" "), line[..<dash].allSatisfy(\.isHexDigit) {
                inMapping = line.hasSuffix(" " + path)
            } else if inMapping, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ")[1])
            }
        }
        return nil
    }

    /// The resident KiB of the mapping starting at `base`, from /proc/self/smaps.
    func residentKiB(of base: UnsafeRawPointer) -> Int? {
        guard let smaps = try? readFile("/proc/self/smaps") else { return nil }
        let start = String(UInt(bitPattern: base), radix: 16)
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), !line.hasPrefix(" "), line[..<dash].allSatisfy(\.isHexDigit) {
                inMapping = line[..<dash].drop { $0 == "0" } == start
            } else if inMapping, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ")[1])
            }
        }
        return nil
    }

    func loadMessage(_ dir: ScratchDirectory) -> String {
        do {
            _ = try SnapshotLoader.load(directory: dir.path)
            return "loaded"
        } catch {
            return error.description.replacingOccurrences(of: dir.path + "/", with: "")
        }
    }
}
