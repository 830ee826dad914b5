/// Recursive descent with precedence climbing, from tokens to an `ExpressionNode` tree.
///
/// Hostile configs ("((((…" or "!!!!…" ten thousand deep, or a chain of ten thousand
/// additions) fail with a syntax error instead of overflowing the stack, here or later in
/// evaluation. Two limits, because the costs differ: each level of nesting (parentheses,
/// unary operators, calls) recurses through several parser functions, about 4-5 KB of
/// stack per level in debug builds, where threads may have only 512 KB; the tree's height
/// only costs one evaluation frame per level, so long operator chains may go deeper.
struct ExpressionParser {
    static let maxNesting = 64
    static let maxHeight = 256

    /// A subtree and its height, which evaluation will recurse through.
    struct Parsed {
        var node: ExpressionNode
        var height: Int
    }

    let scalars: [Unicode.Scalar]
    let tokens: [ExpressionToken]
    private(set) var index = 0
    private var depth = 0

    init(_ text: String) throws(ExpressionSyntaxError) {
        scalars = Array(text.unicodeScalars)
        tokens = try ExpressionLexer.tokenize(scalars)
    }

    var current: ExpressionToken { tokens[index] }

    mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    /// The whole text as one expression.
    mutating func parseComplete() throws(ExpressionSyntaxError) -> ExpressionNode {
        let parsed = try parseExpression()
        try expectEnd()
        return parsed.node
    }

    /// An expression that ends where the next token cannot continue it, as an
    /// `Expression` whose text is the source it came from.
    mutating func parseEmbeddedExpression() throws(ExpressionSyntaxError) -> Expression {
        let start = current.start
        let parsed = try parseExpression()
        let end = tokens[index - 1].end
        return Expression(text: ExpressionLexer.text(scalars, start, end), root: parsed.node)
    }

    func expectEnd() throws(ExpressionSyntaxError) {
        guard current.kind != .end else { return }
        if current.isSymbol(.closeParen) { throw failure("unmatched ')'") }
        throw failure("unexpected \(describe(current)) after \(describe(tokens[index - 1]))")
    }

    mutating func parseExpression() throws(ExpressionSyntaxError) -> Parsed {
        try parseBinary(minimumPrecedence: 1)
    }

    /// Operators of one precedence level loop (left associative); only a tighter operator
    /// recurses, so recursion depth is bounded by the number of levels, not the input.
    private mutating func parseBinary(minimumPrecedence: Int) throws(ExpressionSyntaxError) -> Parsed {
        var left = try parseUnary()
        while case .symbol(let symbol) = current.kind, let precedence = symbol.precedence,
              precedence >= minimumPrecedence {
            let operatorToken = current
            advance()
            let right = try parseBinary(minimumPrecedence: precedence + 1)
            let node: ExpressionNode
            switch symbol {
            case .or: node = OrNode(left.node, right.node)
            case .and: node = AndNode(left.node, right.node)
            default: node = BinaryNode(BinaryOperator(symbol)!, left.node, right.node)
            }
            left = try make(node, height: max(left.height, right.height) + 1, at: operatorToken)
        }
        return left
    }

    private mutating func parseUnary() throws(ExpressionSyntaxError) -> Parsed {
        let token = current
        guard token.isSymbol(.bang) || token.isSymbol(.minus) else { return try parsePrimary() }
        advance()
        try enterNesting(at: token)
        let operand = try parseUnary()
        depth -= 1
        if token.isSymbol(.bang) { return try make(NotNode(operand.node), height: operand.height + 1, at: token) }
        // Negative literals are folded, so `value > -5` compares against a constant.
        switch (operand.node as? LiteralNode)?.value {
        case .int(let n): return Parsed(node: LiteralNode(.int(-n)), height: 1)
        case .double(let d): return Parsed(node: LiteralNode(.double(-d)), height: 1)
        default: return try make(NegateNode(operand.node), height: operand.height + 1, at: token)
        }
    }

    private mutating func parsePrimary() throws(ExpressionSyntaxError) -> Parsed {
        let token = current
        switch token.kind {
        case .integer(let n):
            advance()
            return Parsed(node: LiteralNode(.int(n)), height: 1)
        case .number(let d):
            advance()
            return Parsed(node: LiteralNode(.double(d)), height: 1)
        case .string(let s):
            advance()
            return Parsed(node: LiteralNode(.string(s)), height: 1)
        case .identifier(let name):
            advance()
            switch name {
            case "true": return Parsed(node: LiteralNode(.bool(true)), height: 1)
            case "false": return Parsed(node: LiteralNode(.bool(false)), height: 1)
            case "null": return Parsed(node: LiteralNode(.null), height: 1)
            default: break
            }
            if current.isSymbol(.openParen) { return try parseCall(name, at: token) }
            return try parseFieldPath(name)
        case .symbol(.openParen):
            advance()
            try enterNesting(at: token)
            let inner = try parseBinary(minimumPrecedence: 1)
            guard current.isSymbol(.closeParen) else { throw missingCloseParen(for: token) }
            advance()
            depth -= 1
            return inner
        default:
            throw operandExpected()
        }
    }

    private mutating func parseCall(_ name: String, at nameToken: ExpressionToken) throws(ExpressionSyntaxError) -> Parsed {
        guard let function = BuiltinFunction(rawValue: name) else { throw unknownFunction(at: nameToken) }
        try enterNesting(at: current)
        advance()
        var arguments: [ExpressionNode] = []
        var height = 0
        if current.isSymbol(.closeParen) {
            advance()
        } else {
            while true {
                let argument = try parseBinary(minimumPrecedence: 1)
                arguments.append(argument.node)
                height = max(height, argument.height)
                if current.isSymbol(.comma) {
                    advance()
                } else if current.isSymbol(.closeParen) {
                    advance()
                    break
                } else {
                    throw unfinishedCall(name)
                }
            }
        }
        depth -= 1
        guard function.arity.contains(arguments.count) else {
            throw wrongArity(function, arguments.count, at: nameToken)
        }
        return try make(CallNode(function, arguments), height: height + 1, at: nameToken)
    }

    private mutating func parseFieldPath(_ name: String) throws(ExpressionSyntaxError) -> Parsed {
        var components: [FieldPath.Component] = [.key(name)]
        while true {
            if current.isSymbol(.dot) {
                advance()
                guard case .identifier(let key) = current.kind else { throw failure("expected a field name after '.'") }
                advance()
                components.append(.key(key))
            } else if current.isSymbol(.openBracket) {
                advance()
                guard case .integer(let position) = current.kind else {
                    throw failure("expected an array index after '['")
                }
                advance()
                guard current.isSymbol(.closeBracket) else { throw failure("expected ']' after the array index") }
                advance()
                components.append(.index(Int(position)))
            } else {
                return Parsed(node: FieldNode(FieldPath(components)), height: 1)
            }
        }
    }

    private mutating func enterNesting(at token: ExpressionToken) throws(ExpressionSyntaxError) {
        depth += 1
        if depth > Self.maxNesting { throw nestedTooDeeply(at: token) }
    }

    private func make(_ node: ExpressionNode, height: Int, at token: ExpressionToken) throws(ExpressionSyntaxError) -> Parsed {
        if height > Self.maxHeight { throw tooManyLevels(at: token) }
        return Parsed(node: node, height: height)
    }

    // Errors are built in functions of their own, out of line: string interpolation in
    // the recursive functions would swell their stack frames (several-fold in debug
    // builds), and with them the stack that deep nesting needs.

    @inline(never)
    private func missingCloseParen(for open: ExpressionToken) -> ExpressionSyntaxError {
        failure("missing ')' for '(' at column \(open.column)")
    }

    @inline(never)
    private func unknownFunction(at nameToken: ExpressionToken) -> ExpressionSyntaxError {
        ExpressionSyntaxError(column: nameToken.column, message: "unknown function \(describe(nameToken))")
    }

    @inline(never)
    private func unfinishedCall(_ name: String) -> ExpressionSyntaxError {
        failure("expected ',' or ')' in call to \(name)(), got \(describe(current))")
    }

    @inline(never)
    private func wrongArity(_ function: BuiltinFunction, _ count: Int, at nameToken: ExpressionToken) -> ExpressionSyntaxError {
        ExpressionSyntaxError(
            column: nameToken.column, message: "\(function.rawValue)() takes \(function.arityDescription), got \(count)")
    }

    @inline(never)
    private func nestedTooDeeply(at token: ExpressionToken) -> ExpressionSyntaxError {
        ExpressionSyntaxError(column: token.column, message: "expression nested deeper than \(Self.maxNesting) levels")
    }

    @inline(never)
    private func tooManyLevels(at token: ExpressionToken) -> ExpressionSyntaxError {
        ExpressionSyntaxError(column: token.column, message: "expression deeper than \(Self.maxHeight) operations")
    }

    @inline(never)
    private func operandExpected() -> ExpressionSyntaxError {
        guard index > 0 else {
            return current.kind == .end
                ? failure("empty expression")
                : failure("expected an operand, got \(describe(current))")
        }
        return failure("expected an operand after \(describe(tokens[index - 1]))")
    }

    func failure(_ message: String) -> ExpressionSyntaxError {
        ExpressionSyntaxError(column: current.column, message: message)
    }

    /// A token as messages quote it: its source text, abbreviated.
    func describe(_ token: ExpressionToken) -> String {
        if token.kind == .end { return "end of expression" }
        let limit = 24
        let text = ExpressionLexer.text(scalars, token.start, min(token.end, token.start + limit))
        let oneLine = String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 ? " " : $0 }))
        return "'" + oneLine + (token.end - token.start > limit ? "…'" : "'")
    }
}
