import Glibc
@_spi(Benchmarks) import PluginHost
@_spi(Benchmarks) import SecScorePluginKit
import SecScoreWire
import SwiftProtobuf
import TenantSnapshot

/// The request codecs side by side: the host encoding an EVALUATE REQUEST
/// (SwiftProtobuf's `serializedBytes()` against `RequestEncoder`) and a
/// Swift plugin decoding it (SwiftProtobuf against `RequestDecoder`), on
/// one request holding every facet of the 200,000-user generated tenant,
/// interleaved in rounds so both paths see the same machine.
func codecSuite(_ o: Options) throws -> [(String, String)] {
    let size = ScaleSize.all[2]
    let dir = "/tmp/secscore-scale/\(size.name)-\(size.users)"
    mkdir("/tmp/secscore-scale", 0o755)
    if access(dir + "/partner.json", F_OK) != 0 {
        _ = try timedRun(o.products + "/secscore", ["synth", dir] + size.arguments)
    }
    var request = Secscore_Plugin_V1_EvaluateRequest()
    request.requirementID = "mfaForPartnerTenantAdmins"
    request.facets = try SnapshotLoader.load(directory: dir).facets
    let reference: [UInt8] = try request.serializedBytes()
    guard RequestEncoder.encode(request) == reference else { throw BenchError("RequestEncoder's bytes differ from SwiftProtobuf's") }
    guard let decoded = reference.withUnsafeBytes({ RequestDecoder.evaluateRequest($0) }), decoded == request else {
        throw BenchError("RequestDecoder does not decode the request as SwiftProtobuf does")
    }

    var encodeSP: [Double] = [], encodeOurs: [Double] = [], decodeSP: [Double] = [], decodeOurs: [Double] = []
    func time(_ into: inout [Double], _ body: () throws -> Void) rethrows {
        let t0 = nowMicros()
        try body()
        into.append((nowMicros() - t0) / 1000)
    }
    for _ in 0..<7 {
        try time(&encodeSP) { let b: [UInt8] = try request.serializedBytes(); precondition(b.count == reference.count) }
        time(&encodeOurs) { precondition(RequestEncoder.encode(request).count == reference.count) }
        try time(&decodeSP) {
            let m = try Secscore_Plugin_V1_EvaluateRequest(serializedBytes: reference)
            precondition(m.hasFacets)
        }
        time(&decodeOurs) { precondition(reference.withUnsafeBytes { RequestDecoder.evaluateRequest($0) }?.hasFacets == true) }
    }
    let eSP = Stats(encodeSP).median, eOurs = Stats(encodeOurs).median
    let dSP = Stats(decodeSP).median, dOurs = Stats(decodeOurs).median
    let mb = Double(reference.count) / 1e6
    print("codec: one EVALUATE REQUEST of every facet of the \(size.users)-user tenant, \(f(mb, 1)) MB, median of 7 interleaved (ms)")
    print("  host encode    SwiftProtobuf \(f(eSP, 1))   RequestEncoder \(f(eOurs, 1))   \(f(eSP / eOurs, 2))x faster")
    print("  plugin decode  SwiftProtobuf \(f(dSP, 1))   RequestDecoder \(f(dOurs, 1))   \(f(dSP / dOurs, 2))x faster")
    return [("requestMB", f(mb, 2)), ("encodeSwiftProtobufMillis", f(eSP, 2)), ("encodeRequestEncoderMillis", f(eOurs, 2)),
            ("decodeSwiftProtobufMillis", f(dSP, 2)), ("decodeRequestDecoderMillis", f(dOurs, 2))]
}
