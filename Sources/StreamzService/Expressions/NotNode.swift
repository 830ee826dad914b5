/// `!operand`.
final class NotNode: ExpressionNode, @unchecked Sendable {
    let operand: ExpressionNode

    init(_ operand: ExpressionNode) { self.operand = operand }

    override func evaluate(_ record: JSONValue, _ context: EvaluationContext) throws(EvaluationError) -> JSONValue {
        .bool(!(try operand.evaluateBool(record, context, for: "!")))
    }

    override func replacingFields(_ replace: (FieldNode) -> ExpressionNode) -> ExpressionNode {
        NotNode(operand.replacingFields(replace))
    }

    override var children: [ExpressionNode] { [operand] }
}
