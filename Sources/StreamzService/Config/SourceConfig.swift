/// What a pipeline consumes and how it reads time from it.
public struct SourceConfig: Sendable, Equatable {
    /// Non-empty; valid Kafka topic names.
    public var topics: [String]
    public var format: PayloadFormat
    public var start: StartPosition
    /// nil: the Kafka record timestamp.
    public var eventTime: EventTimeConfig?
    public var watermark: WatermarkConfig
    /// A bigger value is a dead letter before anything parses it: one huge record
    /// must not take the memory, nor fail a sink whose topic refuses it (Kafka's
    /// default limit is 1 MB), and so stop the pipeline.
    public var maxRecordBytes: Int

    /// The default: Kafka's own 1 MiB, as no broker accepts more unless configured to.
    public static let defaultMaxRecordBytes = 1 << 20
    /// librdkafka's `receive.message.max.bytes` default: no bigger record reaches us.
    static let maxRecordBytesCeiling = 100_000_000

    public init(topics: [String], format: PayloadFormat = .json, start: StartPosition = .earliest,
                eventTime: EventTimeConfig? = nil, watermark: WatermarkConfig = WatermarkConfig(),
                maxRecordBytes: Int = SourceConfig.defaultMaxRecordBytes) {
        self.topics = topics
        self.format = format
        self.start = start
        self.eventTime = eventTime
        self.watermark = watermark
        self.maxRecordBytes = maxRecordBytes
    }
}

extension SourceConfig {
    static let yamlKeys = ["topics", "format", "start", "event_time", "watermark", "max_record_bytes"]

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
        if let limitNode = source.value("max_record_bytes") {
            let limit = try limitNode.integer()
            guard (1...Self.maxRecordBytesCeiling).contains(limit) else {
                throw limitNode.error("must be between 1 and \(Self.maxRecordBytesCeiling) bytes, got \(limit)")
            }
            config.maxRecordBytes = limit
        }
        self = config
    }
}
