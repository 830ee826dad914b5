/// One operator between a pipeline's source and its sink, in file order.
public enum StepConfig: Sendable, Equatable {
    /// Keeps the records for which the expression is true.
    case filter(ExpressionText)
    /// Builds the output object, field by field, in file order.
    case map([MapField])
    /// Keyed event-time aggregation; only as the last step.
    case window(WindowStepConfig)
}

extension StepConfig {
    static let yamlKinds = ["filter", "map", "window"]

    init(from node: ConfigNode) throws(ConfigError) {
        let step = try node.mapping(allowedKeys: nil)
        guard let entry = step.entries.first else {
            throw node.error("empty step (expected one of: \(Self.yamlKinds.joined(separator: ", ")))")
        }
        for other in step.entries where !Self.yamlKinds.contains(other.key) {
            throw other.keyNode.error("unknown step '\(other.key)' (expected one of: \(Self.yamlKinds.joined(separator: ", ")))")
        }
        if step.entries.count > 1 {
            let second = step.entries[1]
            throw second.keyNode.error("a step has exactly one kind, this one has both '\(entry.key)' and '\(second.key)' (write them as two steps)")
        }
        let body = entry.value
        switch entry.key {
        case "filter":
            self = .filter(try body.expression(.filter))
        case "map":
            let fields = try body.mapping(allowedKeys: nil).entries
            guard !fields.isEmpty else { throw body.error("a map step needs at least one field") }
            var mapped: [MapField] = []
            for field in fields {
                guard !field.key.isEmpty else { throw field.keyNode.error("an output field needs a name") }
                mapped.append(MapField(name: field.key, expression: try field.value.expression(.mapValue)))
            }
            self = .map(mapped)
        default:
            self = .window(try WindowStepConfig(from: body))
        }
    }
}
