/// Why an expression in a pipeline config does not parse, and where.
public struct ExpressionSyntaxError: Error, CustomStringConvertible, Equatable {
    /// 1-based, counted in Unicode scalars of the expression text.
    public var column: Int
    public var message: String

    public init(column: Int, message: String) {
        self.column = column
        self.message = message
    }

    public var description: String { "column \(column): \(message)" }
}
