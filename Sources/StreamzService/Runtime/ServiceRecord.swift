import StreamzKafka

/// A record on its way through a configured pipeline: the decoded value, and the
/// Kafka record it came from. The source record rides along because a dead letter
/// carries the original key and value bytes, and a Kafka sink without a key
/// expression keeps the input key.
public struct ServiceRecord: Sendable {
    /// What expressions read: the JSON payload, or `{"value": text}` for text.
    public var value: JSONValue
    public let source: KafkaRecord
    /// Until a `map` builds a new value, a sink writes the original payload bytes:
    /// a filter must not reformat what it lets through.
    public var isOriginal = true

    public init(value: JSONValue, source: KafkaRecord) {
        self.value = value
        self.source = source
    }
}

/// A record a pipeline could not process, and why. It is written to the dead-letter
/// topic with the original key and value bytes.
public struct DeadLetter: Sendable {
    public var source: KafkaRecord
    public var reason: String

    public init(source: KafkaRecord, reason: String) {
        self.source = source
        self.reason = reason
    }

    /// The message for the dead-letter topic: original key, value and headers, plus
    /// the reason and where the record came from.
    func outgoing(pipeline: String) -> KafkaOutgoing {
        var headers = source.headers
        headers.append(KafkaHeader("streamz.error", reason))
        headers.append(KafkaHeader("streamz.pipeline", pipeline))
        headers.append(KafkaHeader("streamz.source.topic", source.topic))
        headers.append(KafkaHeader("streamz.source.partition", String(source.partition)))
        headers.append(KafkaHeader("streamz.source.offset", String(source.offset)))
        return KafkaOutgoing(key: source.key, value: source.value, headers: headers,
                             timestamp: source.timestamp >= 0 ? source.timestamp : nil)
    }
}
