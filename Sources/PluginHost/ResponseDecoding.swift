import FoundationEssentials
import SecScoreWire
import SwiftProtobuf

/// Decodes a RESPONSE payload into `Secscore_Plugin_V1_EvaluateResponse`.
///
/// A payload with a long text (`usesView`) is decoded as
/// `Secscore_Hostview_V1_EvaluateResponseView`
/// (Protos/secscore/hostview/v1/response_view.proto: the same wire shape
/// with every string as bytes), then each string is checked with the
/// standard library's UTF-8 validation. SwiftProtobuf 1.39 validates strings
/// one scalar at a time: 670 µs per MiB against 55 µs (measured on this
/// project's VM), most of the host's time for a finding of megabytes
/// (BENCHMARKS.md, "1 MiB"). The result is the same as decoding the real
/// message directly, and so is what is refused (`ResponseDecodingTests`
/// compares the two), with two differences: invalid UTF-8 is reported with
/// the field it is in, and a string that a later occurrence of its field
/// replaces (protobuf's last-one-wins, also across a oneof) is not checked,
/// where SwiftProtobuf refuses it. Every string the host keeps is checked;
/// a discarded value decides nothing.
enum ResponseDecoding {
    /// A string field whose bytes are not UTF-8. `field` is a path such as
    /// `finding.evidence.items[3].attributes[0].value`.
    struct InvalidUTF8: Error, CustomStringConvertible {
        var field: String
        var description: String { "\(field) is not valid UTF-8" }
    }

    /// Payloads of at least this many bytes go through the view when they
    /// carry a long text (`usesView`). Smaller ones are decoded directly,
    /// which is quicker than the view's copies when strings are short, and
    /// through the view only to name the field when SwiftProtobuf finds
    /// invalid UTF-8.
    static let viewBytes = 16 << 10

    /// A text this long makes the view pay off: SwiftProtobuf's check of
    /// its UTF-8 costs more than the view's copies.
    static let longTextBytes = 16 << 10

    /// Whether `payload` is decoded through the view: it is `viewBytes` or
    /// more and the finding's requirement id or an insight, or the error's
    /// message, is `longTextBytes` or more (a scan of the wire format, not
    /// a decode; anything malformed goes to the view, whose decoder says
    /// what is wrong). A large finding of many short strings, such as the
    /// 100,000 evidence items of the 1,000,000-user tenant's checks, is
    /// decoded directly: through the view, each string was copied into a
    /// Data first, and that evaluation's RSS peaked 130-170 MiB higher
    /// while its plugins answered (1,306-1,345 against 1,178 MiB).
    /// Evidence strings are not looked at: the host keeps at most 512 bytes
    /// of each (`FindingLimits`).
    static func usesView(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard payload.count >= viewBytes else { return false }
        var response = WireScan(payload)
        while let (field, wireType) = response.nextTag() {
            guard wireType == 2, field == 1 || field == 2 else {
                if !response.skip(wireType) { return true }
                continue
            }
            // finding (1): requirement_id (1), insights (3); error (2): message (2).
            guard let body = response.lengthDelimited() else { return true }
            var message = WireScan(body)
            while let (inner, innerType) = message.nextTag() {
                guard innerType == 2 else {
                    if !message.skip(innerType) { return true }
                    continue
                }
                guard let value = message.lengthDelimited() else { return true }
                let text = field == 1 ? inner == 1 || inner == 3 : inner == 2
                if text, value.count >= longTextBytes { return true }
            }
            if message.malformed { return true }
        }
        return response.malformed
    }

    /// - Throws: SwiftProtobuf's `BinaryDecodingError` for malformed protobuf,
    ///   `InvalidUTF8` for a string that is not UTF-8.
    static func decode(_ payload: [UInt8]) throws -> Secscore_Plugin_V1_EvaluateResponse {
        try payload.withUnsafeBytes { try decode($0) }
    }

    /// Decodes `payload` where it lies (a frame in the read buffer): every
    /// field is copied out, so nothing refers to it after the call.
    static func decode(_ payload: UnsafeRawBufferPointer) throws -> Secscore_Plugin_V1_EvaluateResponse {
        guard let base = payload.baseAddress, !payload.isEmpty else { return Secscore_Plugin_V1_EvaluateResponse() }
        // The plain finding, without SwiftProtobuf; anything else below.
        if let response = FindingDecoder.evaluateResponse(payload) { return response }
        let bytes = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: payload.count, deallocator: .none)
        if !usesView(payload) {
            do {
                return try Secscore_Plugin_V1_EvaluateResponse(serializedBytes: bytes)
            } catch BinaryDecodingError.invalidUTF8 {
                // Decoded again below, to say which field it is.
            }
        }
        return try convert(Secscore_Hostview_V1_EvaluateResponseView(serializedBytes: bytes))
    }

    private static func convert(_ view: Secscore_Hostview_V1_EvaluateResponseView) throws -> Secscore_Plugin_V1_EvaluateResponse {
        var response = Secscore_Plugin_V1_EvaluateResponse()
        response.unknownFields = view.unknownFields
        switch view.result {
        case .finding(let f)?: response.finding = try finding(f)
        case .error(let e)?:
            var error = Secscore_Plugin_V1_CallError()
            error.code = e.code
            error.message = try text(e.message, "error.message")
            error.unknownFields = e.unknownFields
            response.error = error
        case nil: break
        }
        return response
    }

    private static func finding(_ v: Secscore_Hostview_V1_FindingView) throws(InvalidUTF8) -> Secscore_Plugin_V1_Finding {
        var f = Secscore_Plugin_V1_Finding()
        f.requirementID = try text(v.requirementID, "finding.requirement_id")
        f.status = v.status
        f.insights = try texts(v.insights, "finding.insights")
        if v.hasEvidence {
            f.evidence = try evidence(v.evidence)
        }
        f.unknownFields = v.unknownFields
        return f
    }

    private static func evidence(_ v: Secscore_Hostview_V1_EvidenceView) throws(InvalidUTF8) -> Secscore_Plugin_V1_Evidence {
        var e = Secscore_Plugin_V1_Evidence()
        e.metrics.reserveCapacity(v.metrics.count)
        for (i, m) in v.metrics.enumerated() {
            var metric = Secscore_Plugin_V1_Metric()
            metric.name = try text(m.name, "finding.evidence.metrics[\(i)].name")
            metric.value = m.value
            metric.unit = try text(m.unit, "finding.evidence.metrics[\(i)].unit")
            metric.unknownFields = m.unknownFields
            e.metrics.append(metric)
        }
        e.items.reserveCapacity(v.items.count)
        for (i, item) in v.items.enumerated() {
            // A function, not a string: formatted only for an error, not
            // for each of a large finding's 200,000 items.
            func at() -> String { "finding.evidence.items[\(i)]" }
            var out = Secscore_Plugin_V1_EvidenceItem()
            out.kind = try text(item.kind, at() + ".kind")
            out.id = try text(item.id, at() + ".id")
            out.name = try text(item.name, at() + ".name")
            out.status = try text(item.status, at() + ".status")
            out.reasons = try texts(item.reasons, at() + ".reasons")
            out.attributes.reserveCapacity(item.attributes.count)
            for (j, a) in item.attributes.enumerated() {
                var attribute = Secscore_Plugin_V1_Attribute()
                attribute.name = try text(a.name, at() + ".attributes[\(j)].name")
                attribute.value = try text(a.value, at() + ".attributes[\(j)].value")
                attribute.unknownFields = a.unknownFields
                out.attributes.append(attribute)
            }
            out.unknownFields = item.unknownFields
            e.items.append(out)
        }
        e.unknownFields = v.unknownFields
        return e
    }

    // The field path is built only on failure: autoclosures keep the
    // 200,000-item findings of a large tenant from formatting paths.
    private static func text(_ bytes: Data, _ field: @autoclosure () -> String) throws(InvalidUTF8) -> String {
        if bytes.isEmpty { return "" }
        guard let s = String(validating: bytes, as: UTF8.self) else { throw InvalidUTF8(field: field()) }
        return s
    }

    private static func texts(_ list: [Data], _ field: @autoclosure () -> String) throws(InvalidUTF8) -> [String] {
        var out: [String] = []
        out.reserveCapacity(list.count)
        for (i, bytes) in list.enumerated() {
            out.append(try text(bytes, field() + "[\(i)]"))
        }
        return out
    }
}
