/// `left || right`: the right side is evaluated only when the left is false.
final class OrNode: ExpressionNode, @unchecked Sendable {
    let left: ExpressionNode
    let right: ExpressionNode

    init(_ left: ExpressionNode, _ right: ExpressionNode) {
        self.left = left
        self.right = right
    }

    override func evaluate(_ record: JSONValue, _ context: EvaluationContext) throws(EvaluationError) -> JSONValue {
        if try left.evaluateBool(record, context, for: "||") { return .bool(true) }
        return .bool(try right.evaluateBool(record, context, for: "||"))
    }

    override func scalar() -> Scalar? {
        guard case .bool(let a)? = left.scalar() else { return nil }
        guard !a else { return .bool(true) }
        guard case .bool(let b)? = right.scalar() else { return nil }
        return .bool(b)
    }

    override var readsScalars: Bool { left.readsScalars && right.readsScalars }

    override func replacingFields(_ replace: (FieldNode) -> ExpressionNode) -> ExpressionNode {
        OrNode(left.replacingFields(replace), right.replacingFields(replace))
    }

    override var children: [ExpressionNode] { [left, right] }
}
