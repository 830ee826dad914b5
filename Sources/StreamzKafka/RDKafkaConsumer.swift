import CRdKafka
import Foundation

/// A group consumer: the only place the consumer's C calls are made. Not
/// thread-safe: it lives on its `KafkaLoop`, whose thread polls it.
final class RDKafkaConsumer {
    enum Rebalance {
        case assigned([TopicPartition])
        case revoked([TopicPartition])
    }

    /// What `poll` returns: a message (owned; give it to `release`), or
    /// nothing. Rebalances and errors are handled inside `poll`.
    let handle: OpaquePointer
    private let queue: OpaquePointer
    private let context: Context
    /// Started once nothing in `init` can throw: its thread holds it until `stop()`,
    /// which only `deinit` calls.
    private let reaper: MessageReaper<UnsafeMutablePointer<rd_kafka_message_t>>
    private(set) var assignment: Set<TopicPartition> = []

    /// Bridges librdkafka's C rebalance callback to Swift.
    final class Context {
        var onRebalance: (Rebalance) -> Void = { _ in }
        /// Where to start partitions being assigned (restored offsets); nil: committed.
        var startOffsets: (([TopicPartition]) -> [TopicPartition: Int64])?
    }

    /// Consulted on every assignment: offsets to start from instead of the committed ones.
    var startOffsets: (([TopicPartition]) -> [TopicPartition: Int64])? {
        get { context.startOffsets }
        set { context.startOffsets = newValue }
    }

    /// - Parameter properties: librdkafka properties, passed through unchanged.
    init(properties: [String: String], onRebalance: @escaping (Rebalance) -> Void) throws {
        var properties = RDKafkaConfig.withClientDefaults(properties)
        // Offsets are committed by the source, only for records that are done.
        properties["enable.auto.commit"] = "false"
        properties["enable.auto.offset.store"] = "false"
        let config = try RDKafkaConfig(properties)
        let context = Context()
        context.onRebalance = onRebalance
        self.context = context
        guard let conf = config.take() else { throw KafkaConfigError(property: "-", message: "no configuration") }
        RDKafkaLogging.install(on: conf)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_rebalance_cb(conf) { handle, error, partitions, opaque in
            guard let handle, let opaque else { return }
            let context = Unmanaged<Context>.fromOpaque(opaque).takeUnretainedValue()
            RDKafkaConsumer.rebalance(handle: handle, error: error, partitions: partitions, context: context)
        }
        var errorText = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaConfigError(property: "-", message: string(fromCBuffer: errorText))
        }
        self.handle = handle
        rd_kafka_poll_set_consumer(handle)
        self.queue = rd_kafka_queue_get_consumer(handle)
        reaper = MessageReaper(name: "streamz-reaper", batchSize: 1024) { rd_kafka_message_destroy($0) }
    }

    deinit {
        reaper.stop()  // every message is destroyed before its handle
        rd_kafka_queue_destroy(queue)
        rd_kafka_destroy(handle)
    }

    func subscribe(_ topics: [String]) throws {
        let list = rd_kafka_topic_partition_list_new(Int32(topics.count))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for topic in topics { rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA) }
        let error = rd_kafka_subscribe(handle, list)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(error, "subscribe") }
    }

    /// Waits up to `timeout` ms for a message; nil on timeout or wake-up.
    func poll(timeoutMilliseconds: Int32) -> UnsafeMutablePointer<rd_kafka_message_t>? {
        rd_kafka_consumer_poll(handle, Int32(timeoutMilliseconds))
    }

    /// Destroys a polled message, later and on the reaper's thread (see `MessageReaper`).
    /// A full batch goes at once; call `handOverReleased` before waiting for anything.
    func release(_ message: UnsafeMutablePointer<rd_kafka_message_t>) { reaper.release(message) }

    func handOverReleased() { reaper.handOver() }

    /// Makes a blocked `poll` return (any thread).
    func wakeUp() { rd_kafka_queue_yield(queue) }

    /// Commits `offsets` (the next offset to read, per partition).
    func commit(_ offsets: [TopicPartition: Int64], synchronously: Bool) throws {
        guard !offsets.isEmpty else { return }
        let list = Self.list(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let error = rd_kafka_commit(handle, list, synchronously ? 0 : 1)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR || error == RD_KAFKA_RESP_ERR__NO_OFFSET else {
            throw KafkaError(error, "commit")
        }
    }

    /// The committed offsets of `partitions` (-1001, librdkafka's "invalid", when none).
    func committed(_ partitions: [TopicPartition], timeoutMilliseconds: Int32 = 5_000) throws -> [TopicPartition: Int64] {
        let list = Self.list(Dictionary(uniqueKeysWithValues: partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) }))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let error = rd_kafka_committed(handle, list, timeoutMilliseconds)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(error, "committed") }
        return Self.offsets(in: list)
    }

    /// The consumer's position (next offset it will read), per partition.
    func positions(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        let list = Self.list(Dictionary(uniqueKeysWithValues: partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) }))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        _ = rd_kafka_position(handle, list)
        return Self.offsets(in: list)
    }

    /// The high watermark as of the last fetch response (nil before one): no request.
    func cachedHighWatermark(_ partition: TopicPartition) -> Int64? {
        var low: Int64 = 0, high: Int64 = 0
        guard rd_kafka_get_watermark_offsets(handle, partition.topic, partition.partition, &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR,
              high >= 0 else { return nil }
        return high
    }

    /// Lag per partition: the cached high watermark minus the position (nil if unknown).
    func lag(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        let positions = positions(partitions)
        for partition in partitions {
            var low: Int64 = 0, high: Int64 = 0
            guard rd_kafka_get_watermark_offsets(handle, partition.topic, partition.partition, &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR,
                  high >= 0, let position = positions[partition] else { continue }
            result[partition] = position >= 0 ? max(0, high - position) : max(0, high - low)
        }
        return result
    }

    func pause(_ partitions: [TopicPartition]) {
        guard !partitions.isEmpty else { return }
        let list = Self.list(Dictionary(uniqueKeysWithValues: partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) }))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        _ = rd_kafka_pause_partitions(handle, list)
    }

    func resume(_ partitions: [TopicPartition]) {
        guard !partitions.isEmpty else { return }
        let list = Self.list(Dictionary(uniqueKeysWithValues: partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) }))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        _ = rd_kafka_resume_partitions(handle, list)
    }

    /// Leaves the group: revokes (so the rebalance handler commits), then closes.
    ///
    /// Not `rd_kafka_consumer_close`: it waits on a queue that the consumer queue is
    /// forwarded to, and gives up the first time that wait comes back empty, which
    /// a `wakeUp` from another thread (a yield on the consumer queue) causes. The
    /// close is then cut short before the revocation is served: the group never
    /// terminates, and `rd_kafka_destroy` (deinit) blocks forever in its own close.
    /// Here a wake-up only ends one wait; the loop runs until the consumer is closed.
    func close() {
        reaper.drain()
        let closing = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(closing) }
        if let error = rd_kafka_consumer_close_queue(handle, closing) {
            rd_kafka_error_destroy(error)  // already closed, or failed fatally: nothing to wait for
            return
        }
        while rd_kafka_consumer_closed(handle) == 0 {
            // Serves the rebalance callback on this thread; a message still queued is
            // dropped, as rd_kafka_consumer_close drops it.
            if let message = rd_kafka_consume_queue(closing, 100) { rd_kafka_message_destroy(message) }
        }
    }

    func noteAssignment(_ change: Rebalance) {
        switch change {
        case .assigned(let partitions): assignment.formUnion(partitions)
        case .revoked(let partitions): assignment.subtract(partitions)
        }
    }

    // MARK: C plumbing

    /// Runs on the polling thread, inside `rd_kafka_consumer_poll`: the handler gets
    /// to flush and commit before the partitions are given up.
    private static func rebalance(
        handle: OpaquePointer, error: rd_kafka_resp_err_t,
        partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, context: Context
    ) {
        let changed = partitions.map { Array(offsets(in: $0).keys) } ?? []
        // Known only once the group has chosen an assignor, so asked here, not up front.
        let cooperative = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } == "COOPERATIVE"
        switch error {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            // Start offsets go into the assignment itself: seeking afterwards would race
            // with the first fetch.
            if let partitions, let starts = context.startOffsets?(changed), !starts.isEmpty {
                for index in 0..<Int(partitions.pointee.cnt) {
                    let element = partitions.pointee.elems[index]
                    if let offset = starts[TopicPartition(String(cString: element.topic), element.partition)] {
                        partitions.pointee.elems[index].offset = offset
                    }
                }
            }
            if cooperative {
                if let error = rd_kafka_incremental_assign(handle, partitions) { rd_kafka_error_destroy(error) }
            } else {
                _ = rd_kafka_assign(handle, partitions)
            }
            context.onRebalance(.assigned(changed))
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            context.onRebalance(.revoked(changed))
            if cooperative {
                if let error = rd_kafka_incremental_unassign(handle, partitions) { rd_kafka_error_destroy(error) }
            } else {
                _ = rd_kafka_assign(handle, nil)
            }
        default:
            RDKafkaLogging.logger.warning("rebalance error: \(KafkaError(error))")
            _ = rd_kafka_assign(handle, nil)
            context.onRebalance(.revoked(changed))
        }
    }

    /// A consumed message's headers, copied out. The list librdkafka parses is
    /// detached and freed here, on the parsing thread that allocated it: left on the
    /// message, the reaper would free it into this thread's malloc arena, contending
    /// for its lock (see `MessageReaper`).
    static func headers(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var list: OpaquePointer?
        guard rd_kafka_message_detach_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        defer { rd_kafka_headers_destroy(list) }
        var headers: [KafkaHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            headers.append(KafkaHeader(name.map { String(cString: $0) } ?? "",
                                       value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
            index += 1
        }
        return headers
    }

    static func list(_ offsets: [TopicPartition: Int64]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))!
        for (partition, offset) in offsets {
            rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition).pointee.offset = offset
        }
        return list
    }

    static func offsets(in list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            result[TopicPartition(String(cString: element.topic), element.partition)] = element.offset
        }
        return result
    }
}
