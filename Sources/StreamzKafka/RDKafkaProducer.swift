import CRdKafka
import Foundation

/// A producer: the only place the producer's C calls are made. Delivery reports are
/// served on its `KafkaLoop`, once a turn without blocking, or, without a loop, by a
/// dedicated thread blocking in `rd_kafka_poll` (never Swift's cooperative pool), and
/// handed over in batches.
final class RDKafkaProducer: @unchecked Sendable {
    // @unchecked: `handle` is thread-safe in librdkafka; the delivery batch is behind
    // the context's lock; `running` is only read by the poll thread after start.
    struct Delivery: Sendable {
        let token: Int
        let error: Int32
    }

    /// What the delivery callback and a loop's server share. The server holds this,
    /// not the producer: a weak reference to the producer would give it a side table,
    /// and every retain of it (one per produced message) a slow path.
    final class Context: @unchecked Sendable {
        let lock = NSLock()
        /// Behind `lock`: appended to once per delivered message.
        @exclusivity(unchecked) var batch: [Delivery] = []
        /// When the reports are served on a loop: wakes it as they arrive.
        weak var loop: KafkaLoop?
        /// Held by a loop's server around each poll.
        let serveLock = NSLock()
        /// Behind `serveLock`: once set, no poll is running or will run.
        var closed = false

        func close() {
            serveLock.lock()
            closed = true
            serveLock.unlock()
        }
    }

    let handle: OpaquePointer
    private let context = Context()
    private var thread: Thread?
    private let stopped = NSCondition()
    private var running = true
    private var topics: [String: OpaquePointer] = [:]
    private let topicsLock = NSLock()

    /// - Parameters:
    ///   - loop: serve delivery reports on this loop's thread, every turn, as a C
    ///     passthrough would (no thread of its own, no hop per batch). Without one, a
    ///     dedicated thread serves them.
    ///   - onDeliveries: called with each batch of reports, on the loop or that thread.
    init(properties: [String: String], servedBy loop: KafkaLoop? = nil,
         onDeliveries: @escaping @Sendable ([Delivery]) -> Void) throws {
        var properties = RDKafkaConfig.withClientDefaults(properties)
        if properties["enable.idempotence"] == nil { properties["enable.idempotence"] = "true" }
        if properties["linger.ms"] == nil { properties["linger.ms"] = "5" }
        // Keys go to the partition Kafka's Java clients (and so Kafka Streams and
        // ksqlDB) pick, murmur2, rather than librdkafka's crc32 default: records of one
        // key then share a partition whichever client wrote them, which co-partitioned
        // joins downstream rely on. murmur2 is also computed in librdkafka itself, where
        // crc32 is a call into zlib per message.
        if properties["partitioner"] == nil { properties["partitioner"] = "murmur2_random" }
        let config = try RDKafkaConfig(properties)
        guard let conf = config.take() else { throw KafkaConfigError(property: "-", message: "no configuration") }
        RDKafkaLogging.install(on: conf)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
            guard let message, let opaque else { return }
            let delivery = Delivery(token: Int(bitPattern: message.pointee._private), error: message.pointee.err.rawValue)
            // Guaranteed, not retained: the producer (which owns the context) outlives its
            // handle's callbacks; this runs once per message.
            Unmanaged<Context>.fromOpaque(opaque)._withUnsafeGuaranteedRef { context in
                context.lock.lock()
                context.batch.append(delivery)
                context.lock.unlock()
            }
        }
        var errorText = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaConfigError(property: "-", message: string(fromCBuffer: errorText))
        }
        self.handle = handle
        if let loop {
            context.loop = loop
            let queue = rd_kafka_queue_get_main(handle)
            // Called by librdkafka when reports arrive on an empty queue: wake the loop.
            rd_kafka_queue_cb_event_enable(queue, { _, opaque in
                guard let opaque else { return }
                Unmanaged<Context>.fromOpaque(opaque).takeUnretainedValue().loop?.wake()
            }, Unmanaged.passUnretained(context).toOpaque())
            rd_kafka_queue_destroy(queue)
            running = false
            let context = self.context
            loop.addServer {
                // Under the lock: once `close` (or deinit) has closed the context, no poll
                // is running or will run, so the handle can go.
                context.serveLock.lock()
                guard !context.closed else { return context.serveLock.unlock() }
                rd_kafka_poll(handle, 0)
                context.serveLock.unlock()
                context.lock.lock()
                let batch = context.batch
                context.batch = []
                context.lock.unlock()
                if !batch.isEmpty { onDeliveries(batch) }
            }
            return
        }
        // unowned(unsafe): deinit stops this thread (close) before the object goes.
        let thread = Thread { [unowned(unsafe) self] in
            while self.isRunning {
                rd_kafka_poll(self.handle, 100)
                self.context.lock.lock()
                let batch = self.context.batch
                self.context.batch = []
                self.context.lock.unlock()
                if !batch.isEmpty { onDeliveries(batch) }
            }
            self.stopped.lock()
            self.running = false
            self.stopped.broadcast()
            self.stopped.unlock()
        }
        thread.name = "streamz-dr"  // at most 15 characters on Linux
        self.thread = thread
        thread.start()
    }

    private var stopRequested = false
    private var isRunning: Bool {
        stopped.lock()
        defer { stopped.unlock() }
        return !stopRequested
    }

    /// Enqueues a message; `.__QUEUE_FULL` means "try again after deliveries".
    func produce(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader],
                 timestamp: Int64?, token: Int) -> rd_kafka_resp_err_t {
        produce(topicHandle: topicHandle(topic), key: key, value: value, headers: headers, timestamp: timestamp, token: token)
    }

    /// The same with a topic handle from `topicHandle(_:)`, so the per-message path
    /// does no lookup. The argument list lives on the stack.
    func produce(topicHandle: OpaquePointer, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader],
                 timestamp: Int64?, token: Int) -> rd_kafka_resp_err_t {
        var list: OpaquePointer?
        if !headers.isEmpty {
            list = rd_kafka_headers_new(headers.count)
            for header in headers {
                if let value = header.value {
                    value.withUnsafeBytes { _ = rd_kafka_header_add(list, header.name, -1, $0.baseAddress, $0.count) }
                } else {
                    _ = rd_kafka_header_add(list, header.name, -1, nil, 0)
                }
            }
        }
        let error: rd_kafka_resp_err_t = withBytes(key) { keyPointer, keyCount in
            withBytes(value) { valuePointer, valueCount in
                withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { vus in
                    var n = 0
                    func add(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                        var vu = rd_kafka_vu_t()
                        vu.vtype = type
                        fill(&vu)
                        vus.initializeElement(at: n, to: vu)
                        n += 1
                    }
                    add(RD_KAFKA_VTYPE_RKT) { $0.u.rkt = topicHandle }
                    add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                    add(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = UnsafeMutableRawPointer(bitPattern: token) }
                    if let timestamp { add(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestamp } }
                    if let list { add(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = list } }
                    if let valuePointer {
                        add(RD_KAFKA_VTYPE_VALUE) {
                            $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: valuePointer)
                            $0.u.mem.size = valueCount
                        }
                    }
                    if let keyPointer {
                        add(RD_KAFKA_VTYPE_KEY) {
                            $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: keyPointer)
                            $0.u.mem.size = keyCount
                        }
                    }
                    defer { vus.baseAddress!.deinitialize(count: n) }
                    guard let failure = rd_kafka_produceva(handle, vus.baseAddress, n) else { return RD_KAFKA_RESP_ERR_NO_ERROR }
                    defer { rd_kafka_error_destroy(failure) }
                    return rd_kafka_error_code(failure)
                }
            }
        }
        // On failure (a full queue, which the sink retries) the headers were not taken
        // over: they are freed here, once.
        if error != RD_KAFKA_RESP_ERR_NO_ERROR, let list { rd_kafka_headers_destroy(list) }
        return error
    }

    private func withBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawPointer?, Int) -> R) -> R {
        guard let bytes else { return body(nil, 0) }
        return bytes.withUnsafeBytes { body($0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), $0.count) }
    }

    /// The producer's handle for `name`, created once and kept until the producer goes.
    func topicHandle(_ name: String) -> OpaquePointer {
        topicsLock.lock()
        defer { topicsLock.unlock() }
        if let known = topics[name] { return known }
        let created = rd_kafka_topic_new(handle, name, nil)!
        topics[name] = created
        return created
    }

    /// Waits for outstanding deliveries, up to `timeoutMilliseconds`.
    func flush(timeoutMilliseconds: Int32) -> Bool {
        rd_kafka_flush(handle, timeoutMilliseconds) == RD_KAFKA_RESP_ERR_NO_ERROR
    }

    var outstanding: Int { Int(rd_kafka_outq_len(handle)) }

    /// Stops the delivery thread (after flushing, or purging with a zero timeout) and
    /// destroys the producer.
    func close(timeoutMilliseconds: Int32 = 10_000) {
        if timeoutMilliseconds <= 0 {
            _ = rd_kafka_purge(handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        }
        _ = flush(timeoutMilliseconds: max(0, timeoutMilliseconds))
        context.close()
        stopped.lock()
        stopRequested = true
        while running { _ = stopped.wait(until: Date().addingTimeInterval(0.2)) }
        stopped.unlock()
    }

    deinit {
        stopped.lock()
        let alive = running
        stopped.unlock()
        if alive { close(timeoutMilliseconds: 0) }
        context.close()
        for topic in topics.values { rd_kafka_topic_destroy(topic) }
        rd_kafka_destroy(handle)
    }
}
