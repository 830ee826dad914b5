/// A window aggregate from a config: `count()`, `sum(value)`, `min(x.y)`, `max(a * 2)`,
/// `avg(value)`.
public struct AggregateCall: Sendable, Equatable, CustomStringConvertible {
    public enum Function: String, Sendable, CaseIterable {
        case count, sum, min, max, avg
    }

    public var function: Function
    /// nil for `count()`; exactly one expression for the others.
    public var argument: Expression?

    public init(function: Function, argument: Expression?) {
        self.function = function
        self.argument = argument
    }

    public static func parse(_ text: String) throws(ExpressionSyntaxError) -> AggregateCall {
        var parser = try ExpressionParser(text)
        let nameToken = parser.current
        guard case .identifier(let name) = nameToken.kind else {
            throw parser.failure(
                nameToken.kind == .end ? "empty aggregate" : "expected an aggregate such as count() or sum(value)")
        }
        guard let function = Function(rawValue: name) else {
            let names = Function.allCases.map(\.rawValue).joined(separator: ", ")
            throw parser.failure("unknown aggregate '\(name)', expected one of \(names)")
        }
        parser.advance()
        guard parser.current.isSymbol(.openParen) else { throw parser.failure("expected '(' after '\(name)'") }
        parser.advance()
        var argument: Expression?
        if function == .count {
            guard parser.current.isSymbol(.closeParen) else { throw parser.failure("count() takes no argument") }
        } else {
            guard !parser.current.isSymbol(.closeParen) else {
                throw parser.failure("\(name)() takes exactly one argument")
            }
            argument = try parser.parseEmbeddedExpression()
            guard parser.current.isSymbol(.closeParen) else {
                throw parser.failure(
                    parser.current.isSymbol(.comma)
                        ? "\(name)() takes exactly one argument"
                        : "expected ')' to close \(name)(), got \(parser.describe(parser.current))")
            }
        }
        parser.advance()
        try parser.expectEnd()
        return AggregateCall(function: function, argument: argument)
    }

    public var description: String { "\(function.rawValue)(\(argument?.text ?? ""))" }
}
