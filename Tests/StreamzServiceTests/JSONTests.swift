import Testing
@testable import StreamzService

@Suite struct JSONTests {
    @Test func parsesTheSampleRecordKeepingKeyOrder() throws {
        let value = try JSONParser.parse(#"{"user":"u1","page":"/home","value":42,"ts":1700000000000}"#)
        guard case .object(let object) = value else {
            Issue.record("expected an object")
            return
        }
        #expect(Array(object.keys) == ["user", "page", "value", "ts"])
        #expect(object["user"] == .string("u1"))
        #expect(object["page"] == .string("/home"))
        #expect(object["value"] == .int(42))
        #expect(object["ts"] == .int(1_700_000_000_000))
        #expect(object["missing"] == nil)
        #expect(value["value"] == .int(42))
    }

    @Test(arguments: [
        #"{"user":"u1","page":"/home","value":42,"ts":1700000000000}"#,
        #"[1,-2,3.5,-0.25,1e-07,true,false,null,"",[],{}]"#,
        #"{"a":{"b":[{"c":[[[]]]}]},"d":"x\"y\\z\n\t\u0001"}"#,
        #""just a string""#,
        "0", "-1", "true", "null", "9223372036854775807", "-9223372036854775808",
        #"{"emoji":"😀","cjk":"漢字","accent":"é"}"#,
    ])
    func compactDocumentsRoundTrip(_ text: String) throws {
        let value = try JSONParser.parse(text)
        #expect(value.jsonText == text)
        #expect(try JSONParser.parse(value.jsonText) == value)
    }

    @Test func whitespaceIsAllowedAroundTokens() throws {
        let value = try JSONParser.parse(" \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : null } \n")
        #expect(value == ["a": [1, 2], "b": nil])
        #expect(value.jsonText == #"{"a":[1,2],"b":null}"#)
    }

    @Test func parsesFromBytesStringsAndRawBuffers() throws {
        let text = #"{"k":[1,2]}"#
        let bytes = Array(text.utf8)
        #expect(try JSONParser.parse(bytes) == JSONParser.parse(text))
        let viaBuffer = try bytes.withUnsafeBytes { buffer throws(JSONParseError) in try JSONParser.parse(buffer) }
        #expect(viaBuffer == ["k": [1, 2]])
    }

    // MARK: numbers

    @Test func integersThatFitInt64StayIntegers() throws {
        #expect(try JSONParser.parse("0") == .int(0))
        #expect(try JSONParser.parse("-0") == .int(0))
        #expect(try JSONParser.parse("9223372036854775807") == .int(.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(.min))
    }

    /// Integers are read eight digits at a time where eight remain: every length, both
    /// signs, alone (no bytes after) and followed by more.
    @Test func integersOfEveryLengthReadExactly() throws {
        for length in 1...19 {
            let digits = String((0..<length).map { Character(String(($0 + 1) % 10)) })
            for text in [digits, "-" + digits] {
                let expected = JSONValue.int(Int64(text)!)
                #expect(try JSONParser.parse(text) == expected, "\(text)")
                #expect(try JSONParser.parse("[\(text),\(text)]") == [expected, expected], "\(text)")
                #expect(try JSONParser.parse(#"{"ts":\#(text)}"#) == ["ts": expected], "\(text)")
            }
        }
        #expect(try JSONParser.parse("123456789.5") == .double(123456789.5))
        #expect(try JSONParser.parse("12345678e2") == .double(1234567800))
        #expect(try JSONParser.parse("1234567812345678E-8") == .double(12345678.12345678))
        #expect(throws: JSONParseError.self) { try JSONParser.parse("00000000") }
        #expect(throws: JSONParseError.self) { try JSONParser.parse("0123456789") }
        #expect(throws: JSONParseError.self) { try JSONParser.parse("12345678:") }
        #expect(throws: JSONParseError.self) { try JSONParser.parse("1234567/") }
    }

    @Test func integersBeyondInt64BecomeDoubles() throws {
        #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try JSONParser.parse("-9223372036854775809") == .double(-9_223_372_036_854_775_808))
        #expect(try JSONParser.parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
    }

    @Test func fractionsAndExponentsAreDoubles() throws {
        #expect(try JSONParser.parse("1.0") == .double(1))
        #expect(try JSONParser.parse("2e3") == .double(2000))
        #expect(try JSONParser.parse("2E+3") == .double(2000))
        #expect(try JSONParser.parse("-1.5e-3") == .double(-0.0015))
        #expect(try JSONParser.parse("0.1") == .double(0.1))
        #expect(try JSONParser.parse("5e-324") == .double(.leastNonzeroMagnitude))
        #expect(try JSONParser.parse("1.7976931348623157e308") == .double(.greatestFiniteMagnitude))
        #expect(try JSONParser.parse("1e-400") == .double(0))
    }

    /// The parser's fast path must round exactly as the standard library does.
    @Test func doublesAreCorrectlyRounded() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let digits = Int.random(in: 1...20, using: &generator)
            var text = String(UInt64.random(in: 1...UInt64.max, using: &generator))
            text = String(text.prefix(digits))
            let point = Int.random(in: 0...text.count, using: &generator)
            if point < text.count { text.insert(".", at: text.index(text.startIndex, offsetBy: point)) }
            if text.hasPrefix(".") { text = "0" + text }
            if text.hasSuffix(".") { text += "5" }
            let exponent = Int.random(in: -30...30, using: &generator)
            text += "e\(exponent)"
            #expect(try JSONParser.parse(text) == .double(Double(text)!), "\(text)")
        }
    }

    // MARK: strings

    @Test func escapesDecode() throws {
        #expect(try JSONParser.parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{C}\n\r\t"))
        #expect(try JSONParser.parse(#""a\u0041\u00e9\u6F22z""#) == .string("aAé漢z"))
        #expect(try JSONParser.parse(#""\u0000""#) == .string("\u{0}"))
    }

    @Test func surrogatePairEscapesDecodeToOneScalar() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONParser.parse(#""x\uD834\uDD1Ey""#) == .string("x𝄞y"))
    }

    @Test func rawUTF8PassesThrough() throws {
        let text = "\"é漢😀\u{7F}\""
        #expect(try JSONParser.parse(text) == .string("é漢😀\u{7F}"))
    }

    @Test func aFiveMegabyteStringParses() throws {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        bytes.append(UInt8(ascii: "\""))
        let chunk = Array("abcdefghij-é-\\n-\\\"-漢".utf8)
        var unescaped = 0
        while bytes.count < 5_000_000 {
            bytes.append(contentsOf: chunk)
            unescaped += 1
        }
        bytes.append(contentsOf: Array("\"]".utf8))
        let value = try JSONParser.parse(bytes)
        guard case .array(let elements) = value, case .string(let s) = elements.first else {
            Issue.record("expected an array with a string")
            return
        }
        #expect(s.utf8.count == unescaped * "abcdefghij-é-\n-\"-漢".utf8.count)
        #expect(s.hasPrefix("abcdefghij-é-\n-\"-漢abc"))
        #expect(value.jsonText.utf8.count == bytes.count)
    }

    // MARK: objects

    @Test func duplicateKeysLastWinsInTheFirstPosition() throws {
        let value = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(value.jsonText == #"{"a":3,"b":2}"#)
    }

    @Test func manyKeysWithDuplicatesStayLinear() throws {
        var text = "{"
        for i in 0..<20_000 { text += "\"k\(i % 10_000)\":\(i)," }
        text += "\"last\":true}"
        guard case .object(let object) = try JSONParser.parse(text) else {
            Issue.record("expected an object")
            return
        }
        #expect(object.count == 10_001)
        #expect(object["k0"] == .int(10_000))
        #expect(object["k9999"] == .int(19_999))
        #expect(object.keys.first == "k0")
    }

    @Test func objectEqualityIgnoresOrderAndHashesAlike() throws {
        let a = try JSONParser.parse(#"{"x":1,"y":[true,null]}"#)
        let b = try JSONParser.parse(#"{"y":[true,null],"x":1}"#)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != (try JSONParser.parse(#"{"x":1,"y":[true]}"#)))
        #expect(JSONValue.int(1) != JSONValue.double(1))
    }

    @Test func keysCompareByBytesNotCanonicalEquivalence() throws {
        let composed = "\u{E9}", decomposed = "e\u{301}"
        var object = JSONObject()
        object.set(composed, 1)
        object.set(decomposed, 2)
        #expect(object.count == 2)
        #expect(object[composed] == .int(1))
        #expect(object[decomposed] == .int(2))
        #expect(JSONValue.string(composed) != JSONValue.string(decomposed))
        let parsed = try JSONParser.parse("{\"\u{E9}\":1,\"e\u{301}\":2}")
        #expect(parsed == .object(object))
    }

    @Test func byteComparisons() {
        #expect(UTF8Bytes.compare("abcdefghij1", "abcdefghij2") == -1)
        #expect(UTF8Bytes.compare("abcdefghijk", "abcdefghij") == 1)
        #expect(UTF8Bytes.compare("", "") == 0)
        #expect(UTF8Bytes.compare("\u{E9}", "e\u{301}") == 1)
        let long = String(repeating: "x", count: 100)
        #expect(UTF8Bytes.equal(long + "a", String(repeating: "x", count: 100) + "a"))
        #expect(!UTF8Bytes.equal(long + "a", long + "b"))
        #expect(UTF8Bytes.hasPrefix(long + "abc", long + "ab"))
        #expect(!UTF8Bytes.hasPrefix("ab", "abc"))
        #expect(UTF8Bytes.contains(long + "needle" + long, "needle"))
        #expect(!UTF8Bytes.contains(long + "needl", "needle"))
        #expect(UTF8Bytes.contains("abc", "abc"))
    }

    @Test func objectEditing() {
        var object: JSONObject = ["a": 1, "b": 2]
        object.set("a", "one")
        object.set("c", 3)
        object["b"] = nil
        object["d"] = [true]
        #expect(JSONValue.object(object).jsonText == #"{"a":"one","c":3,"d":[true]}"#)
        #expect(object.removeValue(forKey: "zzz") == nil)
        #expect(object.removeValue(forKey: "a") == .string("one"))
        #expect(Array(object.values) == [3, [true]])
        #expect(object.map(\.key) == ["c", "d"])
        #expect(JSONObject([("k", 1), ("k", 2)]).count == 1)
    }

    // MARK: writing

    @Test func stringsAreEscaped() {
        let value = JSONValue.string("q\"b\\s/\n\r\t\u{8}\u{C}\u{1}\u{1F}\u{7F}é😀")
        #expect(value.jsonText == #""q\"b\\s/\n\r\t\b\f\u0001\u001f"# + "\u{7F}é😀\"")
    }

    @Test func numbersAreWrittenSoTheyRoundTrip() throws {
        let values: [JSONValue] = [
            .int(.min), .int(.max), .int(0), .int(-7), .double(1), .double(-0.0), .double(0.1),
            .double(1e-7), .double(1e21), .double(123456.789), .double(.greatestFiniteMagnitude),
            .double(.leastNonzeroMagnitude),
        ]
        for value in values {
            #expect(try JSONParser.parse(value.jsonText) == value, "\(value.jsonText)")
        }
        #expect(JSONValue.int(.min).jsonText == "-9223372036854775808")
        #expect(JSONValue.double(1).jsonText == "1.0")
    }

    @Test func nonFiniteDoublesAreWrittenAsNull() {
        #expect(JSONValue.array([.double(.nan), .double(.infinity), .double(-.infinity)]).jsonText == "[null,null,null]")
    }

    @Test func writeAppendsToTheCallersBuffer() {
        var buffer = Array("prefix:".utf8)
        JSONValue.object(["a": [1, "x"]]).write(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"prefix:{"a":[1,"x"]}"#)
    }
}
