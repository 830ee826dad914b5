/// Arithmetic and comparisons: both sides evaluated, then the operator applied.
final class BinaryNode: ExpressionNode, @unchecked Sendable {
    let op: BinaryOperator
    let left: ExpressionNode
    let right: ExpressionNode

    init(_ op: BinaryOperator, _ left: ExpressionNode, _ right: ExpressionNode) {
        self.op = op
        self.left = left
        self.right = right
    }

    override func evaluate(_ record: JSONValue, _ context: EvaluationContext) throws(EvaluationError) -> JSONValue {
        let a = try left.evaluate(record, context)
        let b = try right.evaluate(record, context)
        return try op.apply(a, b)
    }

    override func scalar() -> Scalar? {
        guard let a = left.scalar(), let b = right.scalar() else { return nil }
        return Scalar.apply(op, a, b)
    }

    override var readsScalars: Bool { left.readsScalars && right.readsScalars }

    override func replacingFields(_ replace: (FieldNode) -> ExpressionNode) -> ExpressionNode {
        BinaryNode(op, left.replacingFields(replace), right.replacingFields(replace))
    }

    override var children: [ExpressionNode] { [left, right] }
}
