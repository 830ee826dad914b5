import Testing
@testable import StreamzService

/// `RecordSlots.readScalars`, the scan of the scalar path, only has to be right about
/// what it accepts: every document it takes must parse, as an object whose kept
/// members are exactly the scalars it read. What it refuses goes to the parse.
@Suite struct ScalarReadingTests {
    private static let keys = ["user", "page", "value", "ts"]

    /// The scalars read as the `JSONValue`s a parse gives.
    private func value(of scalar: Scalar) -> JSONValue {
        switch scalar {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let n): .int(n)
        case .double(let d): .double(d)
        case .text(let bytes): .string(String(decoding: bytes, as: UTF8.self))
        }
    }

    private static let documents: [String] = RecordProgramTests.records.compactMap { $0 } + [
        #"{"user":"u1","page":"/p","value":123456789012345678,"ts":1}"#,
        #"{"user":"u1","page":"/p","value":1234567890123456789,"ts":1}"#,
        #"{"user":"u1","page":"/p","value":-9223372036854775809,"ts":1}"#,
        #"{"user":"u1","page":"/p","value":1e5,"ts":0.5}"#,
        #"{"user":"u1","page":"/p","value":-0,"ts":00}"#,
        #"{"user":"u1","page":"/p","value":- 1,"ts":1}"#,
        #"{"user":"u1","page":"/p","value":tru,"ts":1}"#,
        #"{"user":"u1","page":"/p","value":nul,"ts":1}"#,
        #"{"user":"u1","page":"\u00e9","value":1,"ts":1}"#,
        #"{"user"  :  "u1"  }   "#,
        #"{"user":"u1" "page":"/p"}"#,
        #"{"user":"u1",,"page":"/p"}"#,
        #"{"user""#,
        #"{"#,
        #"{}"#,
        #"{"other":[[[[{"a":"\""}]]]],"user":"x"}"#,
        "{\"user\":\"caf\u{E9}\",\"page\":\"\u{1F389}\"}",
    ]

    @Test func whatItAcceptsParsesToTheSameMembers() {
        let slots = RecordSlots(JSONProjection(keys: Self.keys))
        var accepted = 0
        for document in Self.documents {
            let bytes = Array(document.utf8)
            bytes.withUnsafeBytes { buffer in
                guard slots.readScalars(buffer) else { return }
                accepted += 1
                let parsed = Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(buffer) }
                guard case .success(.object(let object)) = parsed else {
                    Issue.record("read as scalars, but the parse gives \(parsed): \(document)")
                    return
                }
                for (slot, key) in Self.keys.enumerated() {
                    let read = slots.scalars[slot].map(value)
                    #expect(read == object[key], "\(key) in \(document)")
                }
            }
        }
        // Most documents here are plain clicks: the scan must take them, or the
        // comparison above says little.
        #expect(accepted > 40, "\(accepted) of \(Self.documents.count) read as scalars")
    }

    @Test(arguments: [
        #"{"user":"u\u0031","page":"/p","value":1,"ts":1}"#,  // an escape in a kept string
        #"{"u\u0073er":"u1","page":"/p","value":1,"ts":1}"#,  // an escape in a key
        #"{"user":["u1"],"page":"/p","value":1,"ts":1}"#,  // a kept array
        #"{"user":"u1","page":{"a":1},"value":1,"ts":1}"#,  // a kept object
        #"[{"user":"u1"}]"#,  // not an object
        #"{"user":"u1","value":1,}"#,  // trailing comma
        #"{"user":"u1","value":01}"#,  // leading zero
        #"{"user":"u1","value":1} {}"#,  // more after the document
        #"{"user":"u1","x":[1,}"#,  // a broken skipped member
        "",
    ])
    func whatItRefusesIsLeftToTheParse(_ document: String) {
        let slots = RecordSlots(JSONProjection(keys: Self.keys))
        let accepted = Array(document.utf8).withUnsafeBytes { slots.readScalars($0) }
        #expect(!accepted)
    }
}
