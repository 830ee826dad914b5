/// Where a pipeline's output goes: exactly one kind per pipeline.
public enum SinkConfig: Sendable, Equatable {
    /// `key` nil: the input record's key.
    case kafka(topic: String, key: ExpressionText?, headers: HeaderPolicy = .forward)
    /// A window table, created when missing; `table` may be schema-qualified.
    case postgres(table: String)
}

extension SinkConfig {
    static let yamlKinds = ["kafka", "postgres"]
    static let kafkaKeys = ["topic", "key", "headers"]
    static let postgresKeys = ["table"]

    /// - Parameter pipeline: the pipeline decoded so far (source and steps), for the checks
    ///   that tie the sink to them.
    init(from node: ConfigNode, pipeline: PipelineConfig, database: DatabaseAvailability) throws(ConfigError) {
        let sink = try node.mapping(allowedKeys: Self.yamlKinds)
        guard let entry = sink.entries.first else {
            throw node.error("a sink needs one of: \(Self.yamlKinds.joined(separator: ", "))")
        }
        if sink.entries.count > 1 {
            throw sink.entries[1].keyNode.error("a sink has exactly one kind, got both 'kafka' and 'postgres' (use two pipelines to write to both)")
        }
        if entry.key == "kafka" {
            self = try Self.kafka(from: entry.value, sourceTopics: pipeline.source.topics)
        } else {
            self = try Self.postgres(from: entry.value, pipeline: pipeline, database: database)
        }
    }

    private static func kafka(from node: ConfigNode, sourceTopics: [String]) throws(ConfigError) -> SinkConfig {
        let kafka = try node.mapping(allowedKeys: kafkaKeys)
        let topicNode = try kafka.required("topic")
        let topic = try topicNode.topicName()
        guard !sourceTopics.contains(topic) else {
            throw topicNode.error("sink topic '\(topic)' is also a source topic of this pipeline (it would consume its own output in a loop)")
        }
        let key = try kafka.value("key")?.expression(.sinkKey)
        let headers = try kafka.value("headers")?.choice(HeaderPolicy.self) ?? .forward
        return .kafka(topic: topic, key: key, headers: headers)
    }

    private static func postgres(from node: ConfigNode, pipeline: PipelineConfig, database: DatabaseAvailability) throws(ConfigError) -> SinkConfig {
        let postgres = try node.mapping(allowedKeys: postgresKeys)
        let tableNode = try postgres.required("table")
        let table = try tableNode.string()
        guard ConfigNames.isTableName(table) else {
            throw tableNode.error("'\(table)' is not a table name (expected [A-Za-z_][A-Za-z0-9_]{0,62}, optionally schema.table)")
        }
        // The table holds window rows, checkpointed with the offsets: plain records have no
        // key to upsert on.
        guard let window = pipeline.trailingWindow else {
            throw node.error("a postgres sink needs the pipeline to end with a window step")
        }
        guard database.section != nil else {
            throw node.error("a postgres sink needs postgres.url: \(database.missingReason)")
        }
        if case .session = window.kind, window.emit == .update {
            throw node.error("a session window with emit: update cannot feed a postgres sink (session rows move as sessions merge; use emit: final)")
        }
        return .postgres(table: table)
    }
}
