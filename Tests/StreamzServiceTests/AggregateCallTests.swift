import Testing
@testable import StreamzService

@Suite struct AggregateCallTests {
    @Test func parsesEachAggregate() throws {
        let count = try AggregateCall.parse("count()")
        #expect(count.function == .count)
        #expect(count.argument == nil)
        #expect(try AggregateCall.parse(" count ( ) ") == count)

        let sum = try AggregateCall.parse("sum(value)")
        #expect(sum.function == .sum)
        #expect(sum.argument?.text == "value")
        #expect(sum.argument?.fieldPaths == ["value"])

        #expect(try AggregateCall.parse("min(x.y)").argument?.text == "x.y")
        let max = try AggregateCall.parse("max( a * 2 )")
        #expect(max.function == .max)
        #expect(max.argument?.text == "a * 2")
        #expect(try max.argument?.evaluate(["a": 4]) == .int(8))
        #expect(try AggregateCall.parse("avg(value)").function == .avg)
        #expect(try AggregateCall.parse("sum(coalesce(a, len(b), 0))").argument?.text == "coalesce(a, len(b), 0)")
        #expect(try AggregateCall.parse("sum((a + b) * c)").argument?.text == "(a + b) * c")
        #expect(AggregateCall.Function.allCases.map(\.rawValue) == ["count", "sum", "min", "max", "avg"])
        #expect(max.description == "max(a * 2)")
        #expect(count.description == "count()")
    }

    @Test(arguments: [
        ("count(x)", 7, "count() takes no argument"),
        ("sum()", 5, "sum() takes exactly one argument"),
        ("avg(a, b)", 6, "avg() takes exactly one argument"),
        ("median(x)", 1, "unknown aggregate 'median', expected one of count, sum, min, max, avg"),
        ("Sum(x)", 1, "unknown aggregate 'Sum', expected one of count, sum, min, max, avg"),
        ("", 1, "empty aggregate"),
        ("42", 1, "expected an aggregate such as count() or sum(value)"),
        ("sum value", 5, "expected '(' after 'sum'"),
        ("sum(value", 10, "expected ')' to close sum(), got end of expression"),
        ("sum(a b)", 7, "expected ')' to close sum(), got 'b'"),
        ("sum(a) + 1", 8, "unexpected '+' after ')'"),
        ("sum(a &&)", 9, "expected an operand after '&&'"),
        ("sum(nope(1))", 5, "unknown function 'nope'"),
    ])
    func rejects(_ text: String, _ column: Int, _ message: String) {
        #expect(throws: ExpressionSyntaxError(column: column, message: message), "\(text)") {
            try AggregateCall.parse(text)
        }
    }
}
