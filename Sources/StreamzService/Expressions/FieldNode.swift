/// A field of the record, such as `user` or `a.b[2].c`.
final class FieldNode: ExpressionNode, @unchecked Sendable {
    let path: FieldPath
    /// Set when the path is a single key.
    let topLevelKey: String?

    init(_ path: FieldPath) {
        self.path = path
        if path.components.count == 1, case .key(let key) = path.components[0] { topLevelKey = key } else { topLevelKey = nil }
    }

    override func evaluate(_ record: JSONValue, _ context: EvaluationContext) throws(EvaluationError) -> JSONValue {
        // The common case, a top-level field of an object record, without the general walk.
        if let topLevelKey, case .object(let object) = record, let i = object.index(forKey: topLevelKey) {
            return object.members[i].value
        }
        return try path.resolve(in: record)
    }

    override func evaluateOrNull(_ record: JSONValue, _ context: EvaluationContext) throws(EvaluationError) -> JSONValue {
        try path.resolve(in: record, missingAsNull: true)
    }

    override func replacingFields(_ replace: (FieldNode) -> ExpressionNode) -> ExpressionNode { replace(self) }

    override func collectTopLevelKeys(into keys: inout [String]) {
        if case .key(let key) = path.components[0], !keys.contains(key) { keys.append(key) }
    }

    override func collectFieldPaths(into paths: inout [String]) {
        if !paths.contains(path.text) { paths.append(path.text) }
    }
}
