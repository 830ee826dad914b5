/// A constant: number, string, bool or null.
final class LiteralNode: ExpressionNode, @unchecked Sendable {
    let value: JSONValue

    init(_ value: JSONValue) { self.value = value }

    override func evaluate(_ record: JSONValue, _ context: EvaluationContext) throws(EvaluationError) -> JSONValue {
        value
    }
}
