/// `!operand`.
final class NotNode: ExpressionNode, @unchecked Sendable {
    let operand: ExpressionNode

    init(_ operand: ExpressionNode) { self.operand = operand }

    override func evaluate(_ record: JSONValue, _ context: EvaluationContext) throws(EvaluationError) -> JSONValue {
        .bool(!(try operand.evaluateBool(record, context, for: "!")))
    }

    override func scalar() -> Scalar? {
        guard case .bool(let b)? = operand.scalar() else { return nil }
        return .bool(!b)
    }

    override var readsScalars: Bool { operand.readsScalars }

    override func replacingFields(_ replace: (FieldNode) -> ExpressionNode) -> ExpressionNode {
        NotNode(operand.replacingFields(replace))
    }

    override var children: [ExpressionNode] { [operand] }
}
