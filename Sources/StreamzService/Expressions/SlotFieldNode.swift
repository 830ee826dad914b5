/// A field of the record read from a `RecordSlots` slot instead of a parsed object:
/// the same value, or the same error, as the `FieldNode` it replaces, when the record
/// is an object.
final class SlotFieldNode: ExpressionNode, @unchecked Sendable {
    let path: FieldPath
    let slot: Int
    /// Strong: the slots hold no expressions, so there is no cycle.
    let slots: RecordSlots

    init(_ path: FieldPath, slot: Int, in slots: RecordSlots) {
        self.path = path
        self.slot = slot
        self.slots = slots
    }

    override func evaluate(_ record: JSONValue, _ context: EvaluationContext) throws(EvaluationError) -> JSONValue {
        guard let value = slots.values[slot] else { throw EvaluationError("missing field '\(path.prefix(1))'") }
        return path.components.count == 1 ? value : try path.resolve(in: value, from: 1)
    }

    override func scalar() -> Scalar? { slots.scalars[slot] }

    override var readsScalars: Bool { path.components.count == 1 }

    override func evaluateOrNull(_ record: JSONValue, _ context: EvaluationContext) throws(EvaluationError) -> JSONValue {
        guard let value = slots.values[slot] else { return .null }
        return try path.resolve(in: value, from: 1, missingAsNull: true)
    }
}
