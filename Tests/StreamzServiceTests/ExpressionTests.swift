import Testing
@testable import StreamzService

private let fixedClock = EvaluationContext(nowMillis: { 1_700_000_000_123 })

private let record: JSONValue = [
    "user": "u1", "page": "/home", "value": 42, "ratio": 0.5, "ts": 1_700_000_000_000,
    "tags": ["a", "b", 3], "nested": ["deep": ["list": [10, ["c": "found"]]]], "nothing": nil,
    "flag": true, "count": "17", "price": "2.75",
]

private func evaluate(_ text: String, _ root: JSONValue = record) throws -> JSONValue {
    try Expression.parse(text).evaluate(root, context: fixedClock)
}

@Suite struct ExpressionTests {
    @Test func theSampleFilter() throws {
        let filter = try Expression.parse("value > 10 && page != '/health'")
        #expect(try filter.evaluateCondition(record, context: fixedClock))
        #expect(try !filter.evaluateCondition(["value": 42, "page": "/health"], context: fixedClock))
        #expect(try !filter.evaluateCondition(["value": 5, "page": "/home"], context: fixedClock))
        #expect(filter.fieldPaths == ["value", "page"])
        #expect(filter.description == "value > 10 && page != '/health'")
    }

    @Test(arguments: [
        ("1 + 2 * 3", JSONValue.int(7)),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),
        ("2 * 3 % 4", 2),
        ("20 / 2 / 5", 2.0),
        ("-2 * 3", -6),
        ("- (2 + 3)", -5),
        ("--4", 4),
        ("1 + 2 > 2", true),
        ("1 < 2 == true", true),
        ("true || false && false", true),
        ("(true || false) && false", false),
        ("!true || true", true),
        ("!(true || true)", false),
        ("!false && 1 + 1 == 2", true),
        ("1 == 1 != false", true),
        ("3 > 2 && 2 > 1 || 0 > 1", true),
        ("value * 2 + 1", 85),
        ("value - -2", 44),
        ("7 % -3", 1),
        ("-7 % 3", -1),
        ("7.5 % 2", 1.5),
    ])
    func precedenceAndAssociativity(_ text: String, _ expected: JSONValue) throws {
        #expect(try evaluate(text) == expected, "\(text)")
    }

    @Test func literals() throws {
        #expect(try evaluate("42") == .int(42))
        #expect(try evaluate("1.5") == .double(1.5))
        #expect(try evaluate("2e3") == .double(2000))
        #expect(try evaluate("2.5E-1") == .double(0.25))
        #expect(try evaluate("9223372036854775807") == .int(.max))
        #expect(try evaluate("99999999999999999999") == .double(1e20))
        #expect(try evaluate("'single'") == .string("single"))
        #expect(try evaluate(#""double""#) == .string("double"))
        #expect(try evaluate(#"'it\'s \"q\" \\ \n\t'"#) == .string("it's \"q\" \\ \n\t"))
        #expect(try evaluate(#""it's""#) == .string("it's"))
        #expect(try evaluate(#"'say "hi"'"#) == .string(#"say "hi""#))
        #expect(try evaluate("true") == .bool(true))
        #expect(try evaluate("false") == .bool(false))
        #expect(try evaluate("null") == .null)
    }

    @Test func fieldPaths() throws {
        #expect(try evaluate("user") == .string("u1"))
        #expect(try evaluate("tags[1]") == .string("b"))
        #expect(try evaluate("nested.deep.list[0]") == .int(10))
        #expect(try evaluate("nested.deep.list[1].c") == .string("found"))
        #expect(try evaluate("nested . deep . list [ 1 ] . c") == .string("found"))
        #expect(try evaluate("nothing") == .null)
        #expect(try evaluate("nested") == ["deep": ["list": [10, ["c": "found"]]]])
        let expression = try Expression.parse("a.b [2].c + len(x) * a.b[2].c - coalesce(y, z.w)")
        #expect(expression.fieldPaths == ["a.b[2].c", "x", "y", "z.w"])
    }

    @Test func fieldsNamedLikeFunctionsOrKeywordsInPaths() throws {
        #expect(try evaluate("len + 1", ["len": 2]) == .int(3))
        #expect(try evaluate("a.true", ["a": ["true": 1]]) == .int(1))
    }

    @Test func arithmeticTypes() throws {
        #expect(try evaluate("1 + 2") == .int(3))
        #expect(try evaluate("1 + 2.0") == .double(3))
        #expect(try evaluate("ratio * 4") == .double(2))
        #expect(try evaluate("7 / 2") == .double(3.5))
        #expect(try evaluate("8 / 2") == .double(4))
        #expect(try evaluate("'ab' + 'cd'") == .string("abcd"))
        #expect(try evaluate("user + ':' + page") == .string("u1:/home"))
        #expect(try evaluate("-9223372036854775807 - 1") == .int(.min))
        #expect(try evaluate("-9223372036854775807 - 1 % -1") == .int(-9_223_372_036_854_775_807))
    }

    @Test func equalityAcrossTypes() throws {
        #expect(try evaluate("1 == 1.0") == .bool(true))
        #expect(try evaluate("1.0 == 1") == .bool(true))
        #expect(try evaluate("1 == 1.5") == .bool(false))
        #expect(try evaluate("9007199254740993 == 9007199254740992.0") == .bool(false))
        #expect(try evaluate("1 == '1'") == .bool(false))
        #expect(try evaluate("null == nothing") == .bool(true))
        #expect(try evaluate("null == 0") == .bool(false))
        #expect(try evaluate("true != 1") == .bool(true))
        #expect(try evaluate("tags == tags") == .bool(true))
        #expect(try evaluate("'é' == 'e\u{301}'") == .bool(false))
        #expect(try evaluate("a == b", ["a": [1, ["x": 2]], "b": [1.0, ["x": 2.0]]]) == .bool(true))
        #expect(try evaluate("a == b", ["a": ["x": 1, "y": 2], "b": ["y": 2, "x": 1]]) == .bool(true))
    }

    @Test func ordering() throws {
        #expect(try evaluate("1 < 1.5") == .bool(true))
        #expect(try evaluate("2.5 >= 2") == .bool(true))
        #expect(try evaluate("9223372036854775807 < 9223372036854775808.0") == .bool(true))
        #expect(try evaluate("-3 <= -3.0") == .bool(true))
        #expect(try evaluate("'apple' < 'banana'") == .bool(true))
        #expect(try evaluate("'Z' < 'a'") == .bool(true))
        #expect(try evaluate("'abc' > 'ab'") == .bool(true))
        // By scalar values: U+00E9 sorts after U+0065 U+0301, whatever the collation.
        #expect(try evaluate("'é' > 'e\u{301}'") == .bool(true))
        #expect(try evaluate("'\u{FFFF}' < '😀'") == .bool(true))
    }

    @Test func shortCircuit() throws {
        #expect(try evaluate("false && missing > 1") == .bool(false))
        #expect(try evaluate("true || 1 / 0 > 1") == .bool(true))
        #expect(try evaluate("value > 100 && nope.nope") == .bool(false))
    }

    // MARK: functions

    @Test func stringFunctions() throws {
        #expect(try evaluate("lower('HeLLo ÉCOLE')") == .string("hello école"))
        #expect(try evaluate("upper(user)") == .string("U1"))
        #expect(try evaluate("len('héllo😀')") == .int(6))
        #expect(try evaluate("len('e\u{301}')") == .int(1))
        #expect(try evaluate("len(tags)") == .int(3))
        #expect(try evaluate("len(nested)") == .int(1))
        #expect(try evaluate("concat(user, '-', value, '-', ratio, flag, nothing, tags)")
            == .string(#"u1-42-0.5truenull["a","b",3]"#))
        #expect(try evaluate("concat('only')") == .string("only"))
        #expect(try evaluate("starts_with(page, '/ho')") == .bool(true))
        #expect(try evaluate("starts_with(page, 'home')") == .bool(false))
        #expect(try evaluate("starts_with('ab', 'abc')") == .bool(false))
        #expect(try evaluate("starts_with('abc', '')") == .bool(true))
    }

    @Test func contains() throws {
        #expect(try evaluate("contains(page, 'om')") == .bool(true))
        #expect(try evaluate("contains(page, 'xyz')") == .bool(false))
        #expect(try evaluate("contains(page, '')") == .bool(true))
        #expect(try evaluate("contains('漢字かな', '字か')") == .bool(true))
        #expect(try evaluate("contains(tags, 'b')") == .bool(true))
        #expect(try evaluate("contains(tags, 3.0)") == .bool(true))
        #expect(try evaluate("contains(tags, 'c')") == .bool(false))
    }

    @Test func coalesce() throws {
        #expect(try evaluate("coalesce(nothing, missing, user)") == .string("u1"))
        #expect(try evaluate("coalesce(missing.deeper, tags[9], user.x, 'default')") == .string("default"))
        #expect(try evaluate("coalesce(missing)") == .null)
        #expect(try evaluate("coalesce(value, 0)") == .int(42))
        #expect(throws: EvaluationError("missing field 'missing'")) { try evaluate("coalesce(missing + 1, 0)") }
    }

    @Test func conversions() throws {
        #expect(try evaluate("int(value)") == .int(42))
        #expect(try evaluate("int(2.9)") == .int(2))
        #expect(try evaluate("int(-2.9)") == .int(-2))
        #expect(try evaluate("int(count)") == .int(17))
        #expect(try evaluate("int(price)") == .int(2))
        #expect(try evaluate("int('-12')") == .int(-12))
        #expect(try evaluate("int('1e3')") == .int(1000))
        #expect(try evaluate("int(true)") == .int(1))
        #expect(try evaluate("int(false)") == .int(0))
        #expect(try evaluate("float(value)") == .double(42))
        #expect(try evaluate("float(price)") == .double(2.75))
        #expect(try evaluate("float('+3')") == .double(3))
        #expect(try evaluate("float(flag)") == .double(1))
        #expect(try evaluate("float(ratio)") == .double(0.5))
        #expect(try evaluate("str(user)") == .string("u1"))
        #expect(try evaluate("str(value)") == .string("42"))
        #expect(try evaluate("str(ratio)") == .string("0.5"))
        #expect(try evaluate("str(nothing)") == .string("null"))
        #expect(try evaluate("str(tags)") == .string(#"["a","b",3]"#))
        #expect(try evaluate("str(nested)") == .string(#"{"deep":{"list":[10,{"c":"found"}]}}"#))
    }

    @Test func now() throws {
        #expect(try evaluate("now()") == .int(1_700_000_000_123))
        #expect(try evaluate("now() - ts") == .int(123))
        let wall = try Expression.parse("now()").evaluate([:])
        guard case .int(let millis) = wall else {
            Issue.record("now() must be an int")
            return
        }
        #expect(millis > 1_700_000_000_000)
    }

    // MARK: hostile input

    @Test func hostileStrings() throws {
        #expect(try evaluate(#"'\'\'\"\"' + "'\"'""#) == .string(#"''""'"'"#))
        #expect(try evaluate("'😀👩‍👩‍👧 漢字 \u{0} \u{202E}'") == .string("😀👩‍👩‍👧 漢字 \u{0} \u{202E}"))
        #expect(try evaluate("user == '😀'", ["user": "😀"]) == .bool(true))
        let long = String(repeating: "x'\"y", count: 50_000)
        let escaped = long.replacingAll("'", with: "\\'")
        #expect(try evaluate("len('\(escaped)')") == .int(200_000))
        #expect(try evaluate("field == '\(escaped)'", ["field": .string(long)]) == .bool(true))
    }

    @Test func nestingUpToTheLimitWorks() throws {
        let text = String(repeating: "(", count: 64) + "1" + String(repeating: ")", count: 64)
        #expect(try evaluate(text) == .int(1))
        let calls = String(repeating: "len(str(", count: 32) + "1" + String(repeating: "))", count: 32)
        #expect(try evaluate(calls) == .int(1))
        #expect(try evaluate(String(repeating: "!", count: 64) + "true") == .bool(true))
        // Operator chains are limited by the tree's height (256), not by nesting.
        let chain = Array(repeating: "1", count: 256).joined(separator: " + ")
        #expect(try evaluate(chain) == .int(256))
        let alternatives = (0..<200).map { "value == \($0)" }.joined(separator: " || ")
        #expect(try evaluate(alternatives) == .bool(true))
    }

    @Test func expressionsCompareByText() throws {
        #expect(try Expression.parse("a + 1") == Expression.parse("a + 1"))
        #expect(try Expression.parse("a + 1") != Expression.parse("a+1"))
    }
}

private extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self { if character == target { result += replacement } else { result.append(character) } }
        return result
    }
}
