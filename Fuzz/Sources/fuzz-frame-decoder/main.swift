import Glibc
// Feeds arbitrary bytes to the frame decoder in arbitrary chunks and parses
// every message it yields as the plugin-to-host message of its type.
import SecScoreWire
import SwiftProtobuf

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
    var decoder = FrameDecoder(maxFrameBytes: 1 << 16, maxMessageBytes: 1 << 20)
    // The first byte picks the chunk size, so splits vary too.
    let chunk = max(1, Int(bytes.first ?? 1))
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + chunk)
        decoder.append(bytes[offset..<end])
        offset = end
        do {
            while let message = try decoder.next() {
                switch message.type {
                case .welcome: _ = try? Secscore_Plugin_V1_Welcome(serializedBytes: message.payload)
                case .response: _ = try? Secscore_Plugin_V1_EvaluateResponse(serializedBytes: message.payload)
                case .log: _ = try? Secscore_Plugin_V1_Log(serializedBytes: message.payload)
                case .progress: _ = try? Secscore_Plugin_V1_Progress(serializedBytes: message.payload)
                case .goAway: _ = try? Secscore_Plugin_V1_GoAway(serializedBytes: message.payload)
                default: _ = try? Secscore_Plugin_V1_EvaluateRequest(serializedBytes: message.payload)
                }
            }
        } catch {
            return 0  // a WireError ends the stream, as it does in the host
        }
    }
    _ = try? decoder.finish()
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) })
