/// A call of a built-in function.
final class CallNode: ExpressionNode, @unchecked Sendable {
    let function: BuiltinFunction
    let arguments: [ExpressionNode]

    init(_ function: BuiltinFunction, _ arguments: [ExpressionNode]) {
        self.function = function
        self.arguments = arguments
    }

    override func evaluate(_ record: JSONValue, _ context: EvaluationContext) throws(EvaluationError) -> JSONValue {
        try function.evaluate(arguments, record, context)
    }

    override func replacingFields(_ replace: (FieldNode) -> ExpressionNode) -> ExpressionNode {
        CallNode(function, arguments.map { $0.replacingFields(replace) })
    }

    override var children: [ExpressionNode] { arguments }
}
