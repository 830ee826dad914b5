import Testing
@testable import StreamzService

private let fixedClock = EvaluationContext(nowMillis: { 0 })

private func evaluationError(_ text: String, _ root: JSONValue) -> String? {
    do {
        let value = try Expression.parse(text).evaluate(root, context: fixedClock)
        Issue.record("\(text) evaluated to \(value)")
        return nil
    } catch let error as EvaluationError {
        return error.message
    } catch {
        Issue.record("\(text): \(error)")
        return nil
    }
}

private func syntaxError(_ text: String) -> ExpressionSyntaxError? {
    do {
        _ = try Expression.parse(text)
        Issue.record("\(text) parsed")
        return nil
    } catch {
        return error
    }
}

@Suite struct ExpressionErrorTests {
    private let record: JSONValue = [
        "page": "/home", "value": 42, "ratio": 0.5, "a": "text", "list": [1, 2], "obj": ["k": 1],
        "flag": true, "nothing": nil,
    ]

    @Test(arguments: [
        ("page2 == 1", "missing field 'page2'"),
        ("obj.k2", "missing field 'obj.k2'"),
        ("a.b", "field 'a' is not an object"),
        ("nothing.b", "field 'nothing' is not an object"),
        ("list[3]", "index 3 out of range of array of 2 in 'list[3]'"),
        ("obj[0]", "field 'obj' is not an array"),
        ("page > 1", "'>' needs two numbers or two strings, got string and int"),
        ("flag <= 1.5", "'<=' needs two numbers or two strings, got bool and double"),
        ("nothing < 1", "'<' needs two numbers or two strings, got null and int"),
        ("page + 1", "'+' needs two numbers or two strings, got string and int"),
        ("page - 1", "'-' needs two numbers, got string and int"),
        ("list * 2", "'*' needs two numbers, got array and int"),
        ("value / 0", "division by zero"),
        ("ratio / 0", "division by zero"),
        ("value / 0.0", "division by zero"),
        ("value % 0", "division by zero"),
        ("ratio % 0", "division by zero"),
        ("9223372036854775807 + 1", "integer overflow in 9223372036854775807 + 1"),
        ("-9223372036854775807 - 2", "integer overflow in -9223372036854775807 - 2"),
        ("4294967296 * 4294967296", "integer overflow in 4294967296 * 4294967296"),
        ("-(-9223372036854775807 - 1)", "integer overflow in -(-9223372036854775808)"),
        ("1e308 * 10", "double overflow in 1e+308 * 10.0"),
        ("value && true", "'&&' needs bools, got int"),
        ("true && page", "'&&' needs bools, got string"),
        ("nothing || true", "'||' needs bools, got null"),
        ("!value", "'!' needs a bool, got int"),
        ("-page", "'-' needs a number, got string"),
        ("lower(value)", "lower() needs a string, got int"),
        ("upper(nothing)", "upper() needs a string, got null"),
        ("len(value)", "len() needs a string, array or object, got int"),
        ("int('abc')", #"int() cannot convert "abc""#),
        ("int('0x10')", #"int() cannot convert "0x10""#),
        ("int('nan')", #"int() cannot convert "nan""#),
        ("int(' 1')", #"int() cannot convert " 1""#),
        ("int(1e300)", "int() cannot convert 1e+300: out of range"),
        ("int('1e300')", "int() cannot convert 1e+300: out of range"),
        ("int(list)", "int() cannot convert array"),
        ("float(nothing)", "float() cannot convert null"),
        ("float('inf')", #"float() cannot convert "inf""#),
        ("contains(value, 1)", "contains() needs a string or an array, got int"),
        ("contains(page, 1)", "contains() needs a string to look for in a string, got int"),
        ("starts_with(page, 1)", "starts_with() needs two strings, got string and int"),
        ("coalesce(value / 0, 1)", "division by zero"),
    ])
    func evaluationErrors(_ text: String, _ message: String) {
        #expect(evaluationError(text, record) == message, "\(text)")
    }

    @Test func recordThatIsNotAnObject() {
        #expect(evaluationError("value", [1, 2]) == "record is not an object, cannot read 'value'")
        #expect(evaluationError("value", nil) == "record is not an object, cannot read 'value'")
    }

    @Test func longValuesAreAbbreviatedInMessages() {
        let long = String(repeating: "x", count: 1000) + "\n"
        let message = evaluationError("int(s)", ["s": .string(long)])
        #expect(message == "int() cannot convert \"" + String(repeating: "x", count: 39) + "…")
        #expect(message?.contains("\n") == false)
    }

    @Test func conditionsMustBeBools() {
        #expect(throws: EvaluationError("condition must be a bool, got int")) {
            try Expression.parse("value").evaluateCondition(record, context: fixedClock)
        }
    }

    @Test func errorDescriptions() {
        #expect(EvaluationError("missing field 'page'").description == "missing field 'page'")
        #expect(ExpressionSyntaxError(column: 9, message: "expected an operand after '&&'").description
            == "column 9: expected an operand after '&&'")
    }

    @Test(arguments: [
        ("value &&", 9, "expected an operand after '&&'"),
        ("value &&   ", 9, "expected an operand after '&&'"),
        ("value > 10 && ", 14, "expected an operand after '&&'"),
        ("value > )", 9, "expected an operand after '>'"),
        ("", 1, "empty expression"),
        ("   ", 1, "empty expression"),
        (")", 1, "expected an operand, got ')'"),
        ("* 2", 1, "expected an operand, got '*'"),
        ("(value", 7, "missing ')' for '(' at column 1"),
        ("(1 + (2)", 9, "missing ')' for '(' at column 1"),
        ("value)", 6, "unmatched ')'"),
        ("value > 10 page", 12, "unexpected 'page' after '10'"),
        ("1 2", 3, "unexpected '2' after '1'"),
        ("a.", 3, "expected a field name after '.'"),
        ("a.1", 3, "expected a field name after '.'"),
        ("a[", 3, "expected an array index after '['"),
        ("a[x]", 3, "expected an array index after '['"),
        ("a[-1]", 3, "expected an array index after '['"),
        ("a[1", 4, "expected ']' after the array index"),
        ("foo(1)", 1, "unknown function 'foo'"),
        ("1 + bar()", 5, "unknown function 'bar'"),
        ("len(1, 2)", 1, "len() takes 1 argument, got 2"),
        ("x + len()", 5, "len() takes 1 argument, got 0"),
        ("now(1)", 1, "now() takes no arguments, got 1"),
        ("contains('a')", 1, "contains() takes 2 arguments, got 1"),
        ("concat()", 1, "concat() takes at least 1 argument, got 0"),
        ("coalesce()", 1, "coalesce() takes at least 1 argument, got 0"),
        ("len(1 2)", 7, "expected ',' or ')' in call to len(), got '2'"),
        ("len(1", 6, "expected ',' or ')' in call to len(), got end of expression"),
        ("len(,)", 5, "expected an operand after '('"),
        ("'abc", 1, "unterminated string"),
        ("x == \"abc\\\"", 6, "unterminated string"),
        ("'a\\qb'", 3, "unknown escape '\\q' in string"),
        ("a = 1", 3, "use '==' to compare"),
        ("a & b", 3, "expected '&&'"),
        ("a | b", 3, "expected '||'"),
        ("a # b", 3, "unexpected character '#'"),
        ("a \u{1} b", 3, "unexpected character 'U+0001'"),
        ("😀 + 1", 1, "unexpected character '😀'"),
        ("1e999", 1, "number 1e999 is out of range"),
    ])
    func syntaxErrors(_ text: String, _ column: Int, _ message: String) {
        #expect(syntaxError(text) == ExpressionSyntaxError(column: column, message: message), "\(text)")
    }

    @Test func columnsCountScalars() {
        #expect(syntaxError("'漢字😀' + ") == ExpressionSyntaxError(column: 8, message: "expected an operand after '+'"))
    }

    @Test func tenThousandParenthesesAreASyntaxErrorNotAStackOverflow() {
        let text = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        #expect(syntaxError(text) == ExpressionSyntaxError(column: 65, message: "expression nested deeper than 64 levels"))
        #expect(syntaxError(String(repeating: "(", count: 10_000))?.message == "expression nested deeper than 64 levels")
        #expect(syntaxError(String(repeating: "!", count: 10_000) + "true")?.message
            == "expression nested deeper than 64 levels")
        #expect(syntaxError(String(repeating: "-", count: 10_000) + "x")?.message
            == "expression nested deeper than 64 levels")
        #expect(syntaxError(String(repeating: "len(", count: 10_000))?.message
            == "expression nested deeper than 64 levels")
        let mixed = String(repeating: "1 + (", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        #expect(syntaxError(mixed)?.message == "expression nested deeper than 64 levels")
    }

    @Test func longOperatorChainsAreCappedToo() {
        let chain = Array(repeating: "x", count: 10_000).joined(separator: " + ")
        #expect(syntaxError(chain) == ExpressionSyntaxError(column: 1023, message: "expression deeper than 256 operations"))
        let ors = Array(repeating: "a == 1", count: 10_000).joined(separator: " || ")
        #expect(syntaxError(ors)?.message == "expression deeper than 256 operations")
    }
}
