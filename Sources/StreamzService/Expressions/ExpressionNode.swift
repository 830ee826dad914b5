/// A node of a parsed expression, built once per config and evaluated per record.
///
/// Nodes are immutable classes rather than an indirect enum: a virtual call on a final
/// subclass reads its children without the retain/release traffic of projecting enum
/// payloads, which roughly halves evaluation time. They hold only `let`s, hence the
/// unchecked Sendable.
class ExpressionNode: @unchecked Sendable {
    func evaluate(_ record: JSONValue, _ context: EvaluationContext) throws(EvaluationError) -> JSONValue {
        fatalError("abstract")
    }

    /// As `evaluate`, but inside `coalesce`, where a field that does not resolve is null.
    func evaluateOrNull(_ record: JSONValue, _ context: EvaluationContext) throws(EvaluationError) -> JSONValue {
        try evaluate(record, context)
    }

    /// The value on the scalar path (see `Scalar`): nil where `evaluate` would fail or
    /// would give something other than a scalar, and the record takes the general path.
    func scalar() -> Scalar? { nil }

    /// Whether `scalar()` can give a value at all: the node and all below it are
    /// fields read from slots, literals and operators. A program takes the scalar path
    /// only when every expression it runs can.
    var readsScalars: Bool { false }

    /// For `&&`, `||` and `!`, which need bools.
    final func evaluateBool(
        _ record: JSONValue, _ context: EvaluationContext, for symbol: String
    ) throws(EvaluationError) -> Bool {
        let value = try evaluate(record, context)
        guard case .bool(let b) = value else {
            throw EvaluationError("'\(symbol)' needs \(symbol == "!" ? "a bool" : "bools"), got \(value.typeName)")
        }
        return b
    }

    /// This tree with every `FieldNode` replaced by what `replace` makes of it; nodes
    /// without fields below them are shared, not copied.
    func replacingFields(_ replace: (FieldNode) -> ExpressionNode) -> ExpressionNode { self }

    /// The children, for walks over the tree.
    var children: [ExpressionNode] { [] }

    /// Every field path read, in order of first appearance.
    func collectFieldPaths(into paths: inout [String]) {
        for child in children { child.collectFieldPaths(into: &paths) }
    }

    /// The top-level keys of the record that field paths start with.
    func collectTopLevelKeys(into keys: inout [String]) {
        for child in children { child.collectTopLevelKeys(into: &keys) }
    }
}
