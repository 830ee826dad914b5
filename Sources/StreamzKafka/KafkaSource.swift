import CRdKafka
import Logging
import Streamz

/// Which offsets are the truth for a pipeline.
public enum KafkaOffsetStore: Sendable, Equatable {
    /// The group's committed offsets, moved by commit-on-acknowledge.
    case kafka
    /// Offsets stored with a checkpoint elsewhere (PostgreSQL, in the same transaction
    /// as the rows): the checkpoint hands them over with `noteCheckpointed`, and only
    /// those are committed to Kafka (for lag monitoring). `startOffsets` restores them.
    case external
}

/// Where a group with no committed offset starts.
public enum KafkaStartPosition: String, Sendable {
    case earliest
    case latest
}

public struct KafkaSourceConfiguration: Sendable {
    public var bootstrapServers: String
    public var groupID: String
    public var topics: [String]
    public var start: KafkaStartPosition = .earliest
    /// librdkafka consumer properties, passed through unchanged.
    public var properties: [String: String] = [:]
    /// In flight = emitted and not yet done. Past either bound the source pauses its
    /// partitions (and keeps polling, so the group session stays alive).
    public var maxInFlightRecords = 10_000
    public var maxInFlightBytes = 64 << 20
    public var commitInterval: Duration = .seconds(5)
    /// How long a revocation waits for the sinks to acknowledge before committing what
    /// is done and giving the partitions up.
    public var revokeTimeout: Duration = .seconds(30)
    /// Where the offsets of record (see `KafkaOffsetStore`).
    public var offsetStore: KafkaOffsetStore = .kafka

    public init(bootstrapServers: String, groupID: String, topics: [String]) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
        self.topics = topics
    }
}

/// Feeds Kafka records into a graph, committing only what is done.
///
/// Each record carries its Kafka timestamp as event time and an origin in its
/// partition's tracker. Per partition the committed offset is 1 + the highest offset
/// below which every record is done (DESIGN.md's contract). Commits happen on an
/// interval, before partitions are revoked (after waiting for their sinks), and on
/// `shutdown()`. A pending acknowledgement, or in-flight data past the bounds, pauses
/// the partitions until the graph catches up.
public final class KafkaSource: Source<KafkaRecord>, KafkaLoopPoller {
    public let configuration: KafkaSourceConfiguration
    let loop: KafkaLoop
    @exclusivity(unchecked) private var consumer: RDKafkaConsumer!
    @exclusivity(unchecked) private var trackers: [TopicPartition: PartitionTracker] = [:]
    @exclusivity(unchecked) private var topicNames: [OpaquePointer: String] = [:]
    /// The last record's topic, by librdkafka's handle: most records share it.
    @exclusivity(unchecked) private var lastTopic: (handle: OpaquePointer, name: String)?
    /// The tracker of the last record's partition, keyed by librdkafka's topic handle:
    /// consecutive records mostly share a partition, and this skips hashing a string.
    @exclusivity(unchecked) private var lastTracker: (topic: OpaquePointer, partition: Int32, tracker: PartitionTracker)?
    @exclusivity(unchecked) private var paused = false
    /// The headers of the message being emitted (see `DeferredHeaders`).
    @exclusivity(unchecked) private var deferredHeaders = DeferredHeaders()
    /// Where the message's key and value are copied (see `ReusedBytes`).
    @exclusivity(unchecked) private var keyBytes = ReusedBytes()
    @exclusivity(unchecked) private var valueBytes = ReusedBytes()
    @exclusivity(unchecked) private var waitingOnAck = false
    private var commitTimer: ScheduledWork?
    private let logger = Logger(label: "streamz.kafka.source")

    private let budget: InFlightBudget
    public var inFlightRecords: Int { budget.records }
    public var inFlightBytes: Int { budget.bytes }
    /// The most records and bytes in flight at once, for tests and metrics.
    public var peakInFlightRecords: Int { budget.peakRecords }
    public var peakInFlightBytes: Int { budget.peakBytes }
    /// Messages taken per loop turn once the first has arrived: amortises the loop's
    /// own work (locks, timers, clock reads) over a batch.
    let drainLimit = 256
    @exclusivity(unchecked) public private(set) var consumed = 0
    /// The last offsets committed, per partition.
    public private(set) var committed: [TopicPartition: Int64] = [:]
    /// When back pressure has held consumption this long, the partitions are paused so
    /// that polling can go on (rebalances, `max.poll.interval.ms`) without fetching.
    /// Shorter stalls just skip polling: pausing purges librdkafka's fetch queue, and
    /// refetching on every brief stall would cost a round trip each time.
    public var pauseAfter: Duration = .milliseconds(500)
    @exclusivity(unchecked) private var blockedSince: Duration?
    /// Set by `abort()`: in-flight records will never be done, so nothing waits for them.
    public private(set) var aborted = false
    /// Called on the loop after each assignment or revocation.
    public var onRebalance: ((_ assigned: [TopicPartition], _ revoked: [TopicPartition]) -> Void)?
    /// Called on the loop when partitions are being revoked, once what they had in
    /// flight is done and before the commit: a checkpoint writes their state here.
    public var onRevoke: ((_ revoked: [TopicPartition]) -> Void)?
    /// With an external offset store: the offsets its last checkpoint stored.
    private var checkpointed: [TopicPartition: Int64] = [:]

    public init(_ configuration: KafkaSourceConfiguration, loop: KafkaLoop) throws {
        self.configuration = configuration
        self.loop = loop
        self.budget = InFlightBudget(maxRecords: configuration.maxInFlightRecords, maxBytes: configuration.maxInFlightBytes)
        super.init(name: "kafka:\(configuration.topics.joined(separator: ","))", clock: loop)
        budget.onCross = { [unowned self] in self.updatePause() }
        var properties = configuration.properties
        properties["bootstrap.servers"] = configuration.bootstrapServers
        properties["group.id"] = configuration.groupID
        properties["auto.offset.reset"] = configuration.start.rawValue
        properties["enable.partition.eof"] = "false"
        let rebalance = ExecutorBound<(RDKafkaConsumer.Rebalance) -> Void> { [weak self] change in self?.rebalanced(change) }
        consumer = try RDKafkaConsumer(properties: properties, onRebalance: rebalance.value)
    }

    /// Partitions assigned to this member now.
    public var assignment: Set<TopicPartition> { consumer.assignment }

    public override func run() {
        do {
            try consumer.subscribe(configuration.topics)
        } catch {
            logger.error("subscribe failed: \(error)")
            return stop()
        }
        loop.poller = self
        armCommitTimer()
    }

    // MARK: Polling (loop thread)

    func poll(timeoutMilliseconds: Int32) -> Bool {
        if let since = blockedSince, !paused {
            guard loop.now - since >= pauseAfter else { return false }
            paused = true
            consumer.pause(Array(consumer.assignment))
        }
        var timeout = timeoutMilliseconds
        for _ in 0..<drainLimit {
            var message = consumer.poll(timeoutMilliseconds: 0)
            if message == nil, timeout > 0 {
                // About to wait: messages already handled go to the reaper now rather
                // than with a full batch, so none waits on an idle topic.
                consumer.handOverReleased()
                message = consumer.poll(timeoutMilliseconds: timeout)
            }
            guard let message else { break }
            handle(message)
            timeout = 0
            if blockedSince != nil || !isRunning {
                consumer.handOverReleased()  // the loop may wait now, without polling
                break
            }
        }
        return true
    }

    private func handle(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        defer { consumer.release(message) }
        let error = message.pointee.err
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            // Consumer errors are informational (librdkafka retries); none is fatal.
            if error != RD_KAFKA_RESP_ERR__PARTITION_EOF { logger.warning("consumer: \(KafkaError(error))") }
            return
        }
        guard isRunning else { return }  // stopping: this record is not emitted nor committed
        deferredHeaders.attach(message)
        emitRecord(of: message)
        // A record kept past its emit (buffered, sent elsewhere) still holds the box: its
        // headers are parsed now, before the message goes, and the next record gets a
        // new box. Otherwise the box is reused, and nothing was allocated for headers.
        if isKnownUniquelyReferenced(&deferredHeaders) {
            deferredHeaders.attach(nil)
        } else {
            deferredHeaders.detach()
            deferredHeaders = DeferredHeaders()
        }
    }

    /// Separate from `handle` so that every copy of the record made here is gone when
    /// it returns, and the headers box is uniquely referenced unless a record escaped.
    @inline(never)
    private func emitRecord(of message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let record = makeRecord(message)
        let tracker: PartitionTracker
        if let last = lastTracker, last.topic == message.pointee.rkt, last.partition == record.partition, !last.tracker.revoked {
            tracker = last.tracker
        } else {
            let partition = TopicPartition(record.topic, record.partition)
            tracker = trackers[partition] ?? addTracker(partition)
            lastTracker = (message.pointee.rkt, record.partition, tracker)
        }
        let bytes = (record.value?.count ?? 0) + (record.key?.count ?? 0)
        tracker.received(offset: record.offset, bytes: bytes)
        consumed += 1
        let origin = Origin(tracker: tracker, slot: Int(record.offset))
        let ack = emit(record, Annotation(eventTime: record.timestamp >= 0 ? record.timestamp : Annotation.noTime, origin: origin))
        tracker.release(Int(record.offset))  // the emitter's hold
        if case .pending(let pending) = ack {
            waitingOnAck = true
            updatePause()
            pending.whenComplete { [weak self] in
                self?.loop.execute { [weak self] in
                    self?.waitingOnAck = false
                    self?.updatePause()
                }
            }
        }
    }

    func wakeUp() { consumer.wakeUp() }

    private func makeRecord(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaRecord {
        let m = message.pointee
        let topicHandle = m.rkt!
        let topic: String
        if let last = lastTopic, last.handle == topicHandle {
            topic = last.name  // the usual case: no hashing per record
        } else if let known = topicNames[topicHandle] {
            topic = known
            lastTopic = (topicHandle, known)
        } else {
            topic = String(cString: rd_kafka_topic_name(topicHandle))
            topicNames[topicHandle] = topic
        }
        let value = valueBytes.fill(from: m.payload, count: m.len)
        let key = keyBytes.fill(from: m.key, count: m.key_len)
        var type = rd_kafka_timestamp_type_t(rawValue: 0)
        let timestamp = rd_kafka_message_timestamp(message, &type)
        return KafkaRecord(topic: topic, partition: m.partition, offset: m.offset, key: key, value: value,
                           storedHeaders: .deferred(deferredHeaders), timestamp: timestamp,
                           timestampType: type == RD_KAFKA_TIMESTAMP_CREATE_TIME ? .createTime
                               : type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? .logAppendTime : .none)
    }

    // MARK: Back pressure

    private func addTracker(_ partition: TopicPartition) -> PartitionTracker {
        let tracker = PartitionTracker(partition: partition, budget: budget)
        trackers[partition] = tracker
        return tracker
    }

    /// Blocks consumption at the bounds (or while an acknowledgement is pending) and
    /// unblocks at half the bounds, so a source near its bound does not flap.
    private func updatePause() {
        if blockedSince == nil, waitingOnAck || budget.isOver {
            blockedSince = loop.now
            budget.blocked = true
        } else if blockedSince != nil, !waitingOnAck, budget.isUnderHalf {
            blockedSince = nil
            budget.blocked = false
            if paused {
                paused = false
                consumer.resume(Array(consumer.assignment))
            }
        }
    }

    // MARK: Commits and rebalances

    private func armCommitTimer() {
        commitTimer = loop.schedule(after: configuration.commitInterval) { [weak self] in
            guard let self, self.isRunning else { return }
            self.commit(synchronously: self.commitsSynchronously)
            self.armCommitTimer()
        }
    }

    /// With an external offset store, Kafka's offsets only show lag: a synchronous
    /// commit would block the loop (and the graph) on the broker for nothing.
    private var commitsSynchronously: Bool { configuration.offsetStore == .kafka }

    /// Commits every partition's done prefix that moved since the last commit.
    public func commit(synchronously: Bool) {
        var offsets: [TopicPartition: Int64] = [:]
        for (partition, tracker) in trackers where !tracker.revoked {
            let candidate = configuration.offsetStore == .kafka ? tracker.committable : checkpointed[partition]
            guard let candidate, candidate > committed[partition] ?? Int64.min else { continue }
            offsets[partition] = candidate
        }
        guard !offsets.isEmpty else { return }
        do {
            try consumer.commit(offsets, synchronously: synchronously)
            committed.merge(offsets) { _, new in new }
        } catch {
            // Not fatal: the next commit covers it; records after it are redelivered at worst.
            logger.warning("commit failed: \(error)")
        }
    }

    private func rebalanced(_ change: RDKafkaConsumer.Rebalance) {
        switch change {
        case .assigned(let partitions):
            consumer.noteAssignment(change)
            for partition in partitions where trackers[partition] == nil { _ = addTracker(partition) }
            if paused { consumer.pause(partitions) }
            onRebalance?(partitions, [])
        case .revoked(let partitions):
            // Flush: wait for the sinks to acknowledge what these partitions have in
            // flight, commit what is done, then let them go.
            let flushed = loop.runUntil(timeout: aborted ? .zero : configuration.revokeTimeout) {
                partitions.allSatisfy { (trackers[$0]?.inFlightRecords ?? 0) == 0 }
            }
            if !flushed && !aborted { logger.warning("revoke: sinks did not acknowledge within the timeout; committing what is done") }
            if !simulatingCrash {
                onRevoke?(partitions)
                commit(synchronously: commitsSynchronously)
            }
            for partition in partitions {
                checkpointed[partition] = nil
                guard let tracker = trackers.removeValue(forKey: partition) else { continue }
                budget.change(records: -tracker.inFlightRecords, bytes: -tracker.inFlightBytes)
                tracker.revoked = true
            }
            consumer.noteAssignment(change)
            onRebalance?([], partitions)
        }
    }

    /// Stops consuming after a fatal failure downstream (a sink that cannot deliver):
    /// the records in flight will never be done, so shutdown and revocation commit what
    /// is done without waiting for them. Call it on the loop (a sink's `onFailure`).
    public func abort() {
        aborted = true
        stop()
    }

    /// Stops emitting, waits (up to `timeout`) for what is in flight to be done,
    /// commits, and leaves the group. Call it from outside the loop.
    public func shutdown(timeout: Duration = .seconds(30)) async {
        await loop.perform { [self] in
            stop()
            loop.runUntil(timeout: aborted ? .zero : timeout) { inFlightRecords == 0 }
            commit(synchronously: commitsSynchronously)
            leaveGroup()  // revokes: the rebalance handler commits again (a no-op)
        }
    }

    private func leaveGroup() {
        commitTimer?.cancel()
        consumer.close()
        loop.poller = nil
        budget.onCross = nil  // breaks the cycle source → budget → source
    }

    /// Tests only: stop as a killed process would, committing nothing more.
    var simulatingCrash = false

    package func crash() async {
        await loop.perform { [self] in
            simulatingCrash = true
            stop()
            leaveGroup()
        }
    }

    /// Lag per assigned partition (high watermark minus position).
    public func lag() async -> [TopicPartition: Int64] {
        await loop.perform { [self] in consumer.lag(Array(consumer.assignment)) }
    }

    /// Lag per assigned partition, from librdkafka's cached high watermarks: it does
    /// not block, so a metrics timer may call it on the loop.
    public func currentLag() -> [TopicPartition: Int64] {
        consumer.lag(Array(consumer.assignment))
    }

    /// The consumer's position (next offset to fetch) per assigned partition.
    public func positions() async -> [TopicPartition: Int64] {
        await loop.perform { [self] in consumer.positions(Array(consumer.assignment)) }
    }

    /// The group's committed offsets for the assigned partitions, as the broker has them.
    public func committedOffsets() async throws -> [TopicPartition: Int64] {
        let result: Result<[TopicPartition: Int64], any Error> = await loop.perform { [self] in
            Result { try consumer.committed(Array(consumer.assignment)) }
        }
        return try result.get()
    }

    /// Whether `partition` is quiet rather than held back: the records up to `taken`
    /// (one past the last one a downstream stage has seen) reach the end of the
    /// partition as of the last fetch. Offsets between may be transaction markers,
    /// which are never delivered: then every polled record must have been taken and
    /// the consumer's position be past them. False while the brokers' end is unknown.
    /// Call it on the loop; it makes no request.
    public func isQuiet(_ partition: TopicPartition, takenThrough taken: Int64) -> Bool {
        guard let high = consumer.cachedHighWatermark(partition) else { return false }
        if taken >= high { return true }
        guard let polled = trackers[partition]?.offsets?.nextOffset, taken >= polled else { return false }
        return (consumer.positions([partition])[partition] ?? -1) >= high
    }

    /// The end of the done prefix of `partition`: every record before it is done.
    /// Nil before its first record. Call it on the loop.
    public func doneOffset(of partition: TopicPartition) -> Int64? {
        trackers[partition]?.committable
    }

    /// The partition a record came from, read off its origin; nil for origins that
    /// are not a KafkaSource's.
    public static func partition(of origin: Origin) -> TopicPartition? {
        (origin.tracker as? PartitionTracker)?.partition
    }

    /// With an external offset store: `offsets` are durable in the checkpoint, so
    /// they may be committed to Kafka. Call it on the loop.
    public func noteCheckpointed(_ offsets: [TopicPartition: Int64]) {
        for (partition, offset) in offsets where trackers[partition] != nil {
            checkpointed[partition] = offset
        }
    }

    /// Where newly assigned partitions start, instead of the group's committed
    /// offsets: a restore from offsets stored with a checkpoint (PostgreSQL). Called on
    /// the loop, during the assignment, with the partitions being assigned.
    public var startOffsets: (([TopicPartition]) -> [TopicPartition: Int64])? {
        get { consumer.startOffsets }
        set { consumer.startOffsets = newValue }
    }
}
