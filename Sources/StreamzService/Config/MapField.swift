/// One output field of a map step.
public struct MapField: Sendable, Equatable {
    public var name: String
    public var expression: ExpressionText

    public init(name: String, expression: ExpressionText) {
        self.name = name
        self.expression = expression
    }
}
