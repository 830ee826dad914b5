/// An expression from a pipeline config (`value > 10 && page != '/health'`, `value * 2`,
/// `user`), parsed once at startup and evaluated against each record.
///
/// The language, loosest binding first: `||`, `&&`, `== !=`, `< <= > >=`, `+ -`,
/// `* / %`, unary `! -`; parentheses; field paths `a.b[2].c` read the record; literals
/// `42`, `1.5`, `2e3`, `'text'`, `"text"` (escapes `\' \" \\ \n \t \r`), `true`, `false`,
/// `null`; and calls of lower, upper, len, concat, coalesce, int, float, str, contains,
/// starts_with and now (see `BuiltinFunction`).
///
/// Equality of expressions is by text, which is what configs compare.
public struct Expression: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    let root: ExpressionNode
    private let paths: [String]

    init(text: String, root: ExpressionNode) {
        self.text = text
        self.root = root
        var paths: [String] = []
        root.collectFieldPaths(into: &paths)
        self.paths = paths
    }

    public static func parse(_ text: String) throws(ExpressionSyntaxError) -> Expression {
        var parser = try ExpressionParser(text)
        return Expression(text: text, root: try parser.parseComplete())
    }

    public func evaluate(
        _ record: JSONValue, context: EvaluationContext = EvaluationContext()
    ) throws(EvaluationError) -> JSONValue {
        try root.evaluate(record, context)
    }

    /// For filters: the expression must yield a bool.
    public func evaluateCondition(
        _ record: JSONValue, context: EvaluationContext = EvaluationContext()
    ) throws(EvaluationError) -> Bool {
        let value = try root.evaluate(record, context)
        guard case .bool(let b) = value else {
            throw EvaluationError("condition must be a bool, got \(value.typeName)")
        }
        return b
    }

    /// The top-level keys of the record it reads (`a` for `a.b[2]`), for a parse that
    /// builds only those (`JSONProjection`).
    public var topLevelKeys: [String] {
        var keys: [String] = []
        root.collectTopLevelKeys(into: &keys)
        return keys
    }

    /// The key, when the whole expression is one top-level field (`user`).
    var topLevelField: String? { (root as? FieldNode)?.topLevelKey }

    /// The fields it reads, canonically spelled (`a.b[2]`), in order of first appearance.
    public var fieldPaths: [String] { paths }

    public var description: String { text }

    public static func == (lhs: Expression, rhs: Expression) -> Bool { lhs.text == rhs.text }

    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}
