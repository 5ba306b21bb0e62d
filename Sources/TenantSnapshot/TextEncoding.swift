import SecScoreJSON

/// The encodings snapshot files arrive in. Graph and `az rest` write UTF-8;
/// Windows PowerShell 5.1 writes UTF-16 LE with a byte-order mark when
/// output is redirected with `>` or saved with `Out-File`.
enum TextEncoding {
    /// `bytes` as UTF-8: UTF-8 passes through (a UTF-8 byte-order mark is
    /// left for the parser to skip); UTF-16 LE or BE with its byte-order
    /// mark is transcoded.
    /// - Throws: `SnapshotError` naming the encoding and the fix for UTF-16
    ///   without a byte-order mark, unpaired surrogates, or UTF-32.
    static func utf8(_ bytes: [UInt8], file: String) throws(SnapshotError) -> [UInt8] {
        if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) || bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) {
            throw SnapshotError(.encoding, file: file, path: "", "is UTF-32; save it as UTF-8 (PowerShell: Out-File -Encoding utf8)")
        }
        if bytes.starts(with: [0xFF, 0xFE]) { return try transcode(bytes.dropFirst(2), littleEndian: true, file: file) }
        if bytes.starts(with: [0xFE, 0xFF]) { return try transcode(bytes.dropFirst(2), littleEndian: false, file: file) }
        // UTF-16 without a mark: ASCII text with every other byte zero.
        if bytes.count >= 4, (bytes[0] == 0) != (bytes[1] == 0), (bytes[2] == 0) != (bytes[3] == 0) {
            throw SnapshotError(
                .encoding, file: file, path: "",
                "looks like UTF-16 without a byte-order mark; save it as UTF-8 (PowerShell: Out-File -Encoding utf8, or Set-Content -Encoding utf8)")
        }
        return bytes
    }

    static func transcode(_ body: ArraySlice<UInt8>, littleEndian: Bool, file: String) throws(SnapshotError) -> [UInt8] {
        guard body.count % 2 == 0 else {
            throw SnapshotError(.encoding, file: file, path: "", "is UTF-16 (\(littleEndian ? "LE" : "BE")) with an odd number of bytes: the file is cut short")
        }
        var units: [UInt16] = []
        units.reserveCapacity(body.count / 2)
        var i = body.startIndex
        while i < body.endIndex {
            let a = UInt16(body[i]), b = UInt16(body[i + 1])
            units.append(littleEndian ? a | b << 8 : a << 8 | b)
            i += 2
        }
        var out: [UInt8] = []
        out.reserveCapacity(units.count)
        let hadError = Swift.transcode(units.makeIterator(), from: UTF16.self, to: UTF8.self, stoppingOnError: true) { out.append($0) }
        if hadError {
            throw SnapshotError(.encoding, file: file, path: "", "is UTF-16 (\(littleEndian ? "LE" : "BE")) with an invalid character (an unpaired surrogate)")
        }
        return out
    }
}
