import Testing
@testable import StreamzService

/// Everything strict RFC 8259 forbids must fail with an error naming the problem.
@Suite struct JSONRejectionTests {
    private func rejection(_ bytes: [UInt8]) -> JSONParseError? {
        do {
            let value = try JSONParser.parse(bytes)
            Issue.record("parsed \(value.jsonText) from \(bytes)")
            return nil
        } catch {
            return error
        }
    }

    private func rejection(_ text: String) -> JSONParseError? { rejection(Array(text.utf8)) }

    @Test(arguments: [
        ("", "empty input"),
        ("   ", "expected a value"),
        ("[1,2,]", "trailing comma"),
        (#"{"a":1,}"#, "trailing comma"),
        ("[,1]", "expected a value"),
        ("01", "leading zero"),
        ("-01", "leading zero"),
        ("00.5", "leading zero"),
        ("NaN", "expected a value"),
        ("Infinity", "expected a value"),
        ("-Infinity", "expected a digit"),
        ("+1", "expected a value"),
        (".5", "expected a value"),
        ("1.", "expected a digit after '.'"),
        ("1.e3", "expected a digit after '.'"),
        ("1e", "expected a digit in exponent"),
        ("1e+", "expected a digit in exponent"),
        ("-", "expected a digit"),
        ("1e400", "number out of range"),
        ("-1e400", "number out of range"),
        ("tru", "invalid literal"),
        ("nul", "invalid literal"),
        ("True", "expected a value"),
        ("{} x", "after the value"),
        ("1 2", "after the value"),
        (#"{"a":1}}"#, "after the value"),
        ("[1 2]", "expected ',' or ']'"),
        (#"{"a" 1}"#, "expected ':'"),
        (#"{"a":1 "b":2}"#, "expected ',' or '}'"),
        ("{a:1}", "expected a string key"),
        ("{'a':1}", "expected a string key"),
        ("['a']", "expected a value"),
        ("[1", "unterminated array"),
        (#"{"a":1"#, "unterminated object"),
        (#"{"a""#, "expected ':'"),
        (#""abc"#, "unterminated string"),
        (#""abc\"#, "unterminated string"),
        ("\"a\tb\"", "unescaped control character"),
        ("\"a\nb\"", "unescaped control character"),
        ("\"\u{0}\"", "unescaped control character"),
        (#""\x""#, "invalid escape"),
        (#""\u12""#, "\\u escape"),
        (#""\u12G4""#, "invalid \\u escape"),
        (#""\ud800""#, "lone surrogate"),
        (#""\ud800x""#, "lone surrogate"),
        (#""\ud800\u0041""#, "lone surrogate"),
        (#""\ud800\ud800""#, "lone surrogate"),
        (#""\udc00""#, "lone surrogate"),
        (#""\uDFFF\uD800""#, "lone surrogate"),
        ("/* comment */ 1", "expected a value"),
    ])
    func rejects(_ input: String, _ reason: String) {
        let error = rejection(input)
        #expect(error?.reason.contains(reason) == true, "\(input): \(String(describing: error))")
    }

    @Test(arguments: [
        [0x80],                    // a lone continuation byte
        [0xC0, 0x80],              // overlong NUL
        [0xC1, 0xBF],              // overlong
        [0xE0, 0x80, 0x80],        // overlong three-byte
        [0xE0, 0x9F, 0xBF],        // overlong three-byte
        [0xF0, 0x80, 0x80, 0x80],  // overlong four-byte
        [0xF0, 0x8F, 0xBF, 0xBF],  // overlong four-byte
        [0xED, 0xA0, 0x80],        // UTF-8 encoded high surrogate
        [0xED, 0xBF, 0xBF],        // UTF-8 encoded low surrogate
        [0xF4, 0x90, 0x80, 0x80],  // beyond U+10FFFF
        [0xF5, 0x80, 0x80, 0x80],  // bytes above 0xF4
        [0xFF],
        [0xC3],                    // truncated at the end of the string
        [0xE6, 0xBC],              // truncated
        [0xC3, 0x41],              // not a continuation byte
        [0xF0, 0x9F, 0x98, 0x41],  // bad last continuation byte
    ] as [[UInt8]])
    func rejectsInvalidUTF8InStrings(_ sequence: [UInt8]) {
        let error = rejection([UInt8(ascii: "\"")] + sequence + [UInt8(ascii: "\"")])
        #expect(error?.reason == "invalid UTF-8", "\(sequence): \(String(describing: error))")
        #expect(error?.offset == 1)
    }

    @Test func rejectsNonASCIIOutsideStrings() {
        #expect(rejection([0xEF, 0xBB, 0xBF, 0x31])?.reason == "expected a value, got byte 0xEF")
    }

    @Test func validMultiByteBoundariesAreAccepted() throws {
        for sequence: [UInt8] in [
            [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80],
            [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
        ] {
            let value = try JSONParser.parse([UInt8(ascii: "\"")] + sequence + [UInt8(ascii: "\"")])
            #expect(value == .string(String(decoding: sequence, as: UTF8.self)))
        }
    }

    @Test func errorsCarryTheOffsetAndDescribeThemselves() {
        let error = rejection(#"{"user":"u1","pa"#)
        #expect(error == JSONParseError(offset: 13, reason: "unterminated string"))
        #expect(error?.description == "invalid JSON at byte 13: unterminated string")
        #expect(rejection("[1,2,]")?.offset == 5)
        #expect(rejection("\"ab\u{1}\"")?.offset == 3)
    }

    @Test func tenThousandNestedArraysFailWithoutOverflowingTheStack() {
        let error = rejection(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))
        #expect(error?.reason == "nesting deeper than 128 levels")
        #expect(error?.offset == 128)
        #expect(rejection(String(repeating: #"{"a":"#, count: 10_000))?.reason == "nesting deeper than 128 levels")
        #expect(rejection(String(repeating: "[", count: 100_000))?.reason == "nesting deeper than 128 levels")
    }

    @Test func depthUpToTheLimitIsAccepted() throws {
        let deepest = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        #expect(throws: Never.self) { try JSONParser.parse(deepest) }
        #expect(rejection("[" + deepest + "]")?.reason == "nesting deeper than 128 levels")
        #expect(throws: Never.self) { try JSONParser.parse("[[[1]]]", maxDepth: 3) }
        #expect(throws: JSONParseError(offset: 3, reason: "nesting deeper than 3 levels")) {
            try JSONParser.parse("[[[[1]]]]", maxDepth: 3)
        }
    }
}
