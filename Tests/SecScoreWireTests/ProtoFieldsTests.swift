import Foundation
import SecScoreTestSupport
import Testing

/// `protoMessages`, which tests use to hold hand-written encoders and
/// views to Protos/, reads every shape of field the contract may use and
/// refuses what it cannot read instead of skipping it.
@Suite("Reading .proto fields")
struct ProtoFieldsTests {
    @Test func readsEveryShapeOfField() throws {
        let proto = """
            syntax = "proto3";
            message Outer {
              // A comment line.
              reserved 9;
              option deprecated = true;
              string id = 1;  // trailing comment
              repeated Item items = 2;
              optional int64 updated_unix_ms = 3 [json_name = "updated"];
              map<string, string> labels = 4;
              oneof result {
                Finding finding = 5;
                secscore.plugin.v1.Error error = 6;
              }
              message Nested {
                string not_outer = 1;
                enum Kind { KIND_UNSPECIFIED = 0; }
              }
              enum State {
                STATE_UNSPECIFIED = 0;
              }
              bytes payload = 7 [deprecated = true];
            }

            message Second {}
            """
        let messages = try protoMessages(in: proto + "\n")
        #expect(messages["Outer"] == [
            ProtoField(label: "", type: "string", name: "id", number: 1),
            ProtoField(label: "repeated", type: "Item", name: "items", number: 2),
            ProtoField(label: "optional", type: "int64", name: "updated_unix_ms", number: 3),
            ProtoField(label: "", type: "map<string, string>", name: "labels", number: 4),
            ProtoField(label: "", type: "Finding", name: "finding", number: 5),
            ProtoField(label: "", type: "secscore.plugin.v1.Error", name: "error", number: 6),
            ProtoField(label: "", type: "bytes", name: "payload", number: 7),
        ])
        #expect(messages["Nested"] == nil)
    }

    /// A line it cannot read is an error, never a field left out.
    @Test(arguments: ["  extensions 100 to 199;", "  group Result = 1 { }", "  string id = 1", "  }"])
    func refusesWhatItCannotRead(line: String) {
        #expect(throws: ProtoFieldsError.self) {
            try protoMessages(in: "message M {\n  string name = 2;\n\(line)\n}\n")
        }
    }

    @Test(arguments: ["plugin/v1/plugin.proto", "tenant/v1/tenant.proto", "hostview/v1/response_view.proto"])
    func readsTheContract(file: String) throws {
        let text = try String(contentsOfFile: fixture("Protos/secscore/" + file), encoding: .utf8)
        let messages = try protoMessages(in: text)
        let declared = text.split(separator: "\n").filter { $0.hasPrefix("message ") }.count
        #expect(messages.count == declared && declared > 0)
    }
}
