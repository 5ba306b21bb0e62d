import Crypto
import SwiftProtobuf
package import TenantSnapshot

/// A digest of what was evaluated, so two runs on the same data can be told
/// apart from two runs on changed data.
package enum SnapshotDigest {
    /// SHA-256, in lowercase hex, of the snapshot's facets in protobuf's
    /// binary encoding (deterministic for these messages: they have no maps).
    package static func of(_ snapshot: TenantSnapshot) -> String {
        let bytes: [UInt8] = (try? snapshot.facets.serializedBytes()) ?? []
        return SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
