// Writes arbitrary bytes as a snapshot file and loads the snapshot: every
// input must end in a value or a SnapshotError, never a crash.
import Glibc
import TenantSnapshot

let directory: String = {
    var template = Array("/tmp/secscore-fuzz-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
}()

// Every file the loader reads, merged ones included.
let files = TenantSnapshot.knownFileNames.sorted()

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Valid JSON goes to one file per input, chosen by its length, so every
    // file gets inputs; anything else goes to users.json, which is decoded
    // while it is parsed, so the streaming parser sees every kind of damage.
    let valid = (try? JSONParser.parse(bytes)) != nil
    let name = valid ? files[size % files.count] : "users.json"
    let path = directory + "/" + name
    guard let f = fopen(path, "wb") else { return 0 }
    _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, f) }
    fclose(f)
    _ = try? SnapshotLoader.load(directory: directory)
    unlink(path)
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) })
