/// `left && right`: the right side is evaluated only when the left is true.
final class AndNode: ExpressionNode, @unchecked Sendable {
    let left: ExpressionNode
    let right: ExpressionNode

    init(_ left: ExpressionNode, _ right: ExpressionNode) {
        self.left = left
        self.right = right
    }

    override func evaluate(_ record: JSONValue, _ context: EvaluationContext) throws(EvaluationError) -> JSONValue {
        guard try left.evaluateBool(record, context, for: "&&") else { return .bool(false) }
        return .bool(try right.evaluateBool(record, context, for: "&&"))
    }

    override func scalar() -> Scalar? {
        guard case .bool(let a)? = left.scalar() else { return nil }
        guard a else { return .bool(false) }
        guard case .bool(let b)? = right.scalar() else { return nil }
        return .bool(b)
    }

    override var readsScalars: Bool { left.readsScalars && right.readsScalars }

    override func replacingFields(_ replace: (FieldNode) -> ExpressionNode) -> ExpressionNode {
        AndNode(left.replacingFields(replace), right.replacingFields(replace))
    }

    override var children: [ExpressionNode] { [left, right] }
}
