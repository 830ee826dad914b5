/// `-operand`, where the operand is not a literal (negative literals are folded).
final class NegateNode: ExpressionNode, @unchecked Sendable {
    let operand: ExpressionNode

    init(_ operand: ExpressionNode) { self.operand = operand }

    override func evaluate(_ record: JSONValue, _ context: EvaluationContext) throws(EvaluationError) -> JSONValue {
        let value = try operand.evaluate(record, context)
        switch value {
        case .int(let n):
            guard n != .min else { throw EvaluationError("integer overflow in -(\(n))") }
            return .int(-n)
        case .double(let d):
            return .double(-d)
        default:
            throw EvaluationError("'-' needs a number, got \(value.typeName)")
        }
    }

    override func scalar() -> Scalar? {
        switch operand.scalar() {
        case .int(let n)?: n == .min ? nil : .int(-n)
        case .double(let d)?: .double(-d)
        default: nil
        }
    }

    override var readsScalars: Bool { operand.readsScalars }

    override func replacingFields(_ replace: (FieldNode) -> ExpressionNode) -> ExpressionNode {
        NegateNode(operand.replacingFields(replace))
    }

    override var children: [ExpressionNode] { [operand] }
}
