/// One lexeme of an expression, with where it sits in the text (in Unicode scalars).
struct ExpressionToken: Sendable {
    enum Kind: Sendable, Equatable {
        case integer(Int64)
        case number(Double)
        case string(String)
        case identifier(String)
        case symbol(ExpressionSymbol)
        case end
    }

    var kind: Kind
    /// Offset of the first scalar, and just past the last.
    var start: Int
    var end: Int

    var column: Int { start + 1 }

    func isSymbol(_ symbol: ExpressionSymbol) -> Bool { kind == .symbol(symbol) }
}
