import CRdKafka
import Foundation

/// Reads a topic from its start to its current end, without a consumer group: for
/// tools, demos and tests that check what a pipeline wrote. Blocking; call it off
/// the cooperative pool.
public enum KafkaTopicReader {
    /// Every record of `topic` up to the end offsets at the time of the call.
    public static func readAll(bootstrapServers: String, topic: String, properties: [String: String] = [:],
                               timeout: Duration = .seconds(60)) throws -> [KafkaRecord] {
        var records: [KafkaRecord] = []
        try read(bootstrapServers: bootstrapServers, topic: topic, properties: properties, timeout: timeout) {
            records.append($0)
        }
        return records
    }

    /// The number of records in `topic` (end minus start offset, summed over its
    /// partitions): a count without reading them.
    public static func count(bootstrapServers: String, topic: String, properties: [String: String] = [:]) throws -> Int64 {
        let handle = try consumer(bootstrapServers, properties)
        defer { rd_kafka_destroy(handle) }
        return try ends(handle, topic).reduce(0) { $0 + ($1.value.high - $1.value.low) }
    }

    public static func read(bootstrapServers: String, topic: String, properties: [String: String] = [:],
                            timeout: Duration = .seconds(60), _ body: (KafkaRecord) -> Void) throws {
        let handle = try consumer(bootstrapServers, properties)
        defer {
            rd_kafka_consumer_close(handle)
            rd_kafka_destroy(handle)
        }
        let bounds = try ends(handle, topic).filter { $0.value.high > $0.value.low }
        guard !bounds.isEmpty else { return }
        let list = rd_kafka_topic_partition_list_new(Int32(bounds.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (partition, range) in bounds {
            rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset = range.low
        }
        let assigned = rd_kafka_assign(handle, list)
        guard assigned == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(assigned, "assign \(topic)") }
        var remaining = Dictionary(uniqueKeysWithValues: bounds.map { ($0.key, $0.value.high) })
        let deadline = ContinuousClock.now + timeout
        while !remaining.isEmpty {
            guard ContinuousClock.now < deadline else {
                throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, "reading \(topic): \(remaining.count) partition(s) not read to the end")
            }
            guard let message = rd_kafka_consumer_poll(handle, 200) else { continue }
            defer { rd_kafka_message_destroy(message) }
            let m = message.pointee
            guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            guard let end = remaining[m.partition], m.offset < end else { continue }
            var type = rd_kafka_timestamp_type_t(rawValue: 0)
            let timestamp = rd_kafka_message_timestamp(message, &type)
            body(KafkaRecord(topic: topic, partition: m.partition, offset: m.offset,
                             key: m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) },
                             value: m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) },
                             headers: RDKafkaConsumer.headers(of: message), timestamp: timestamp))
            if m.offset + 1 >= end { remaining[m.partition] = nil }
        }
    }

    private static func consumer(_ bootstrapServers: String, _ properties: [String: String]) throws -> OpaquePointer {
        var merged = properties
        merged["bootstrap.servers"] = bootstrapServers
        merged["group.id"] = "streamz-topic-reader"  // required by the API; never joined or committed
        merged["enable.auto.commit"] = "false"
        merged["enable.partition.eof"] = "false"
        let config = try RDKafkaConfig(merged)
        guard let conf = config.take() else { throw KafkaConfigError(property: "-", message: "no configuration") }
        var errorText = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaConfigError(property: "-", message: string(fromCBuffer: errorText))
        }
        rd_kafka_poll_set_consumer(handle)
        return handle
    }

    /// Low and high watermark per partition.
    private static func ends(_ handle: OpaquePointer, _ topic: String) throws -> [Int32: (low: Int64, high: Int64)] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let topicHandle = rd_kafka_topic_new(handle, topic, nil)
        defer { rd_kafka_topic_destroy(topicHandle) }
        let error = rd_kafka_metadata(handle, 0, topicHandle, &metadata, 10_000)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw KafkaError(error, "metadata of \(topic)") }
        defer { rd_kafka_metadata_destroy(metadata) }
        guard metadata.pointee.topic_cnt == 1, let topicMetadata = metadata.pointee.topics?.pointee else { return [:] }
        if topicMetadata.err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(topicMetadata.err, "metadata of \(topic)") }
        var result: [Int32: (Int64, Int64)] = [:]
        for index in 0..<Int(topicMetadata.partition_cnt) {
            let partition = topicMetadata.partitions[index].id
            var low: Int64 = 0, high: Int64 = 0
            let queried = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, 10_000)
            guard queried == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(queried, "offsets of \(topic)[\(partition)]") }
            result[partition] = (low, high)
        }
        return result
    }
}
