/// Where a record's event time comes from when it is not the Kafka timestamp.
public struct EventTimeConfig: Sendable, Equatable {
    /// A field path: `ts`, or `meta.ts` for a nested object.
    public var field: String
    public var unit: EventTimeUnit

    public init(field: String, unit: EventTimeUnit = .ms) {
        self.field = field
        self.unit = unit
    }
}

extension EventTimeConfig {
    static let yamlKeys = ["field", "unit"]

    init(from node: ConfigNode) throws(ConfigError) {
        let eventTime = try node.mapping(allowedKeys: Self.yamlKeys)
        let fieldNode = try eventTime.required("field")
        let field = try fieldNode.string()
        guard ConfigNames.isFieldPath(field) else {
            throw fieldNode.error("'\(field)' is not a field path (expected names separated by dots, like ts or meta.ts)")
        }
        var config = EventTimeConfig(field: field)
        if let unitNode = eventTime.value("unit") { config.unit = try unitNode.choice(EventTimeUnit.self) }
        self = config
    }
}
