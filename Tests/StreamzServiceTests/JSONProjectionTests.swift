import Testing
@testable import StreamzService

/// A projected parse builds only the named top-level members, and is exactly as
/// strict as a full parse: the same documents fail, with the same error at the same
/// offset, wherever the problem sits (in a kept member or a skipped one).
@Suite struct JSONProjectionTests {
    private let projection = JSONProjection(keys: ["user", "value"])

    private func parse(_ text: String) -> Result<JSONValue, JSONParseError> {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(buffer, projecting: projection) }
        }
    }

    private func full(_ text: String) -> Result<JSONValue, JSONParseError> {
        Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(text) }
    }

    @Test func keepsOnlyTheNamedMembers() throws {
        let value = try parse(#"{"user":"u1","page":{"a":[1,2,{"b":null}]},"value":42,"ts":1700000000000}"#).get()
        #expect(value == .object(["user": .string("u1"), "value": .int(42)]))
    }

    @Test func escapedKeysAndDuplicatesBehaveAsInAFullParse() throws {
        let value = try parse(#"{"us\u0065r":"a","value":1,"user":"b","x\n":"\ud83d\ude00"}"#).get()
        #expect(value == .object(["user": .string("b"), "value": .int(1)]))
    }

    @Test func otherDocumentsAreReadWhole() throws {
        #expect(try parse("[1,2]").get() == full("[1,2]").get())
        #expect(try parse(" 42 ").get() == .int(42))
    }

    @Test(arguments: [
        #"{"user":"u1","page":"/ho"# + "\u{01}" + #"me","value":1}"#,
        #"{"user":"u1","page":[1,2,],"value":1}"#,
        #"{"user":"u1","page":{"a":1,},"value":1}"#,
        #"{"user":"u1","page":01,"value":1}"#,
        #"{"user":"u1","page":1e999,"value":1}"#,
        #"{"user":"u1","page":"\ud800","value":1}"#,
        #"{"user":"u1","page":"\x","value":1}"#,
        #"{"user":"u1","page":tru,"value":1}"#,
        #"{"user":"u1","page":NaN,"value":1}"#,
        #"{"user":"u1","page":{"a" 1},"value":1}"#,
        #"{"user":"u1","page":{1:2},"value":1}"#,
        #"{"user":"u1","page":"x","value":1} x"#,
        #"{"user":"u1","page":"x","value":1,}"#,
        #"{"user":"u1","page":"x""#,
        #"{"user":"u1","pa\ud800ge":1}"#,
        #"{"user":"u1","value":[1,}"#,
        #"{"user":"u1","value":-}"#,
        "{\"user\":\"u1\",\"page\":" + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "}",
    ])
    func rejectsWhatAFullParseRejects(_ text: String) {
        guard case .failure(let expected) = full(text) else {
            Issue.record("a full parse accepted \(text)")
            return
        }
        guard case .failure(let error) = parse(text) else {
            Issue.record("the projected parse accepted \(text)")
            return
        }
        #expect(error.reason == expected.reason)
        #expect(error.offset == expected.offset)
    }

    @Test func invalidUTF8InASkippedMemberIsRejected() {
        let bytes: [UInt8] = Array(#"{"user":"u1","page":""#.utf8) + [0xC3, 0x28] + Array(#"","value":1}"#.utf8)
        let projected = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(buffer, projecting: projection) }
        }
        let whole = Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(bytes) }
        guard case .failure(let a) = projected, case .failure(let b) = whole else {
            Issue.record("accepted invalid UTF-8")
            return
        }
        #expect(a.reason == b.reason && a.offset == b.offset)
    }
}
