/// A record read from Kafka.
public struct KafkaRecord: Sendable {
    public enum TimestampType: Sendable, Equatable {
        case none
        case createTime
        case logAppendTime
    }

    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]?
    /// A record from `KafkaSource` parses its headers on first read (from any thread,
    /// any time): librdkafka allocates to parse them, even when there are none, and
    /// most pipelines never look.
    public var headers: [KafkaHeader] {
        get {
            switch storedHeaders {
            case .parsed(let headers): headers
            case .deferred(let deferred): deferred.headers
            }
        }
        set { storedHeaders = .parsed(newValue) }
    }
    var storedHeaders: StoredHeaders
    /// Epoch milliseconds; -1 when the record has none.
    public var timestamp: Int64
    public var timestampType: TimestampType

    /// The value as UTF-8 text, invalid sequences repaired.
    public var valueString: String? { value.map { String(decoding: $0, as: UTF8.self) } }
    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }

    enum StoredHeaders: Sendable {
        case parsed([KafkaHeader])
        /// A `KafkaSource` record's: parsed from librdkafka's message when first read.
        case deferred(DeferredHeaders)
    }
}

// In an extension, so that the struct keeps its memberwise initializer, which
// `KafkaSource` uses: an initializer written out member by member built the record
// twice and copied it (three retains and three releases per record).
extension KafkaRecord {
    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?,
                headers: [KafkaHeader] = [], timestamp: Int64 = -1, timestampType: TimestampType = .none) {
        self.init(topic: topic, partition: partition, offset: offset, key: key, value: value,
                  storedHeaders: .parsed(headers), timestamp: timestamp, timestampType: timestampType)
    }
}

public struct KafkaHeader: Sendable, Equatable {
    public var name: String
    public var value: [UInt8]?

    public init(_ name: String, _ value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    public init(_ name: String, _ text: String) {
        self.init(name, Array(text.utf8))
    }
}

/// A topic and partition.
public struct TopicPartition: Hashable, Sendable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}
