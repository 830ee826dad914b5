/// A constant: number, string, bool or null.
final class LiteralNode: ExpressionNode, @unchecked Sendable {
    let value: JSONValue
    /// The value for the scalar path; a string's bytes live as long as the node. nil for
    /// a string JSON must escape (rare in a config), which keeps its program off that path.
    private let scalarValue: Scalar?
    private let textStorage: UnsafeMutableRawBufferPointer?

    init(_ value: JSONValue) {
        self.value = value
        switch value {
        case .null: scalarValue = .null; textStorage = nil
        case .bool(let b): scalarValue = .bool(b); textStorage = nil
        case .int(let n): scalarValue = .int(n); textStorage = nil
        case .double(let d): scalarValue = .double(d); textStorage = nil
        case .string(let text) where !text.utf8.contains(where: JSONWriter.needsEscape):
            let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: text.utf8.count, alignment: 1)
            storage.copyBytes(from: text.utf8)
            scalarValue = .text(UnsafeRawBufferPointer(storage))
            textStorage = storage
        case .string, .array, .object: scalarValue = nil; textStorage = nil
        }
    }

    deinit { textStorage?.deallocate() }

    override func evaluate(_ record: JSONValue, _ context: EvaluationContext) throws(EvaluationError) -> JSONValue {
        value
    }

    override func scalar() -> Scalar? { scalarValue }

    override var readsScalars: Bool { scalarValue != nil }
}
