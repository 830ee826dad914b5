/// What a pipeline consumes and how it reads time from it.
public struct SourceConfig: Sendable, Equatable {
    /// Non-empty; valid Kafka topic names.
    public var topics: [String]
    public var format: PayloadFormat
    public var start: StartPosition
    /// nil: the Kafka record timestamp.
    public var eventTime: EventTimeConfig?
    public var watermark: WatermarkConfig

    public init(topics: [String], format: PayloadFormat = .json, start: StartPosition = .earliest,
                eventTime: EventTimeConfig? = nil, watermark: WatermarkConfig = WatermarkConfig()) {
        self.topics = topics
        self.format = format
        self.start = start
        self.eventTime = eventTime
        self.watermark = watermark
    }
}

extension SourceConfig {
    static let yamlKeys = ["topics", "format", "start", "event_time", "watermark"]

    init(from node: ConfigNode) throws(ConfigError) {
        let source = try node.mapping(allowedKeys: Self.yamlKeys)
        let topicsNode = try source.required("topics")
        let topicNodes = try topicsNode.list()
        guard !topicNodes.isEmpty else { throw topicsNode.error("needs at least one topic") }
        var topics: [String] = []
        for topicNode in topicNodes {
            let topic = try topicNode.topicName()
            if topics.contains(topic) { throw topicNode.error("topic '\(topic)' is listed twice") }
            topics.append(topic)
        }

        var config = SourceConfig(topics: topics)
        if let formatNode = source.value("format") { config.format = try formatNode.choice(PayloadFormat.self) }
        if let startNode = source.value("start") { config.start = try startNode.choice(StartPosition.self) }
        if let eventTimeNode = source.value("event_time") {
            let eventTime = try EventTimeConfig(from: eventTimeNode)
            if config.format != .json {
                throw eventTimeNode.child(key: "field").error(
                    "format '\(config.format.rawValue)' has no fields to read an event time from (remove event_time to use the Kafka timestamp, or use format: json)")
            }
            config.eventTime = eventTime
        }
        if let watermarkNode = source.value("watermark") {
            config.watermark = try WatermarkConfig(from: watermarkNode)
        }
        self = config
    }
}
