import Foundation
import Logging
import Streamz
import StreamzKafka

/// When rows reach the window table.
public enum TableEmitMode: String, Sendable {
    /// Closed windows only, once each.
    case final
    /// What changed in open windows, as deltas added to the row at every checkpoint;
    /// closed windows' last deltas too. Not for session windows, whose rows move.
    case update
}

/// Where a materialized window's rows go.
public enum WindowOutput: Sendable, Equatable {
    /// Into the PostgreSQL table, in the checkpoint's transaction: exactly once.
    case table
    /// Downstream, to the node's subscribers (a Kafka sink), as windows close (and in
    /// update mode, at each checkpoint). PostgreSQL keeps only the window state and
    /// offsets, written once the subscribers have acknowledged every row: at least
    /// once, with duplicates after a crash bounded by one checkpoint interval.
    case downstream
}

public struct MaterializedWindowOptions: Sendable {
    /// Names the pipeline's rows in `streamz_offsets` and `streamz_window_state`.
    public var pipeline: String
    public var kind: WindowKind
    public var grace: Duration = .zero
    /// How far behind a partition's newest event time its watermark trails.
    public var maxOutOfOrder: Duration = .zero
    public var emit: TableEmitMode = .final
    public var output: WindowOutput = .table
    /// Closes a partition's windows after this long without records (wall clock).
    public var closeOnIdle: Duration?
    public var checkpointInterval: Duration = .seconds(1)
    /// A checkpoint starts early once this many rows wait.
    public var flushRows = 10_000
    /// With a checkpoint in flight, past this many waiting rows the source waits:
    /// while PostgreSQL is slow or down, memory stays bounded.
    public var maxPendingRows = 100_000
    /// Keys longer than this (UTF-8 bytes, all columns) go to `rejected`: a B-tree
    /// index entry cannot hold much more than 2,700 bytes.
    public var maxKeyBytes = 2_000

    public init(pipeline: String, kind: WindowKind) {
        self.pipeline = pipeline
        self.kind = kind
    }
}

/// A record the window table could not take, with why.
public struct RejectedRecord<Element> {
    public enum Reason: Equatable, Sendable {
        /// Every window it belongs to had closed (with `missed`, the windows).
        case late(missed: [WindowBounds])
        /// Some of its windows had closed; it went into the others.
        case partiallyLate(missed: [WindowBounds])
        case missingEventTime
        /// It did not come from a KafkaSource partition, so no checkpoint covers it.
        case unknownPartition
        /// PostgreSQL text cannot hold it: a NUL byte, or longer than `maxKeyBytes`.
        case unstorableKey(String)
    }

    public var element: Element
    public var eventTime: Int64
    public var watermark: Int64?
    public var reason: Reason
}

/// Keyed event-time windows materialized into a PostgreSQL table, exactly once; or,
/// with `output = .downstream`, emitted to Kafka with PostgreSQL as the checkpoint
/// store (see `WindowOutput`).
///
/// Each source partition has its own window state (`PartitionWindows`). A checkpoint,
/// on an interval, on a row count, before partitions are revoked and at shutdown,
/// writes in ONE transaction the rows (closed windows, or deltas in update mode), each
/// changed partition's open-window state, watermark and next offset. The source's
/// offsets live there (`KafkaOffsetStore.external`): on assignment the partitions'
/// state is restored and consumption starts at the stored offsets, so a crash at any
/// point neither loses nor double-counts. Kafka gets the offsets after COMMIT, for
/// lag monitoring only.
///
/// A record is taken when it reaches the windows; its origin is released at once. A
/// checkpoint first waits until every partition's done prefix reaches what the
/// windows saw (rejected records are acknowledged by their dead-letter sink), so the
/// stored offsets never run ahead of a record that is not done.
public final class MaterializedWindow<Element, Key: WindowTableKey>: Streamz.Stream<WindowRow> {
    /// The columns; with `output = .table`, also the table they are written to.
    public let table: WindowTable
    public let options: MaterializedWindowOptions
    /// Late, unplaceable and unstorable records, with their annotations (and origins).
    public let rejected: Streamz.Stream<RejectedRecord<Element>>
    /// Called on the loop when a checkpoint fails permanently (fenced, or the table is
    /// unusable). The source is aborted first: nothing more is committed.
    public var onFailure: ((any Error) -> Void)?
    public private(set) var failure: (any Error)?
    public internal(set) var checkpoints = 0
    public internal(set) var rowsWritten = 0
    public private(set) var rejectedCount = 0
    /// How long the last checkpoint's write took (its sink latency), for metrics.
    public internal(set) var lastCheckpointDuration: Duration?
    /// When the checkpoint being written started (loop time); nil when none is.
    /// A write that has waited long means PostgreSQL is unreachable.
    public internal(set) var checkpointStarted: Duration?

    /// Unowned: the source keeps its graph (this node included) alive, not the reverse.
    unowned let source: KafkaSource
    let loop: KafkaLoop
    var store: CheckpointStore
    let key: (Element) -> Key
    let values: (Element) -> ColumnAggregation.Input
    let disorderMillis: Int64
    let logger = Logger(label: "streamz.postgres.window")

    @exclusivity(unchecked) var slots: [PartitionWindows<Key>] = []
    var slotIndex: [TopicPartition: Int] = [:]
    /// The last record's partition tracker and slot: records mostly come in runs from
    /// one partition. Held strongly so its address cannot be reused by another.
    @exclusivity(unchecked) var lastTracker: OriginTracker?
    @exclusivity(unchecked) var lastSlot = 0
    /// Rows waiting for the next checkpoint, merged by key and window.
    @exclusivity(unchecked) var pending: [PendingRowKey<Key>: ColumnAggregation.Partial] = [:]
    @exclusivity(unchecked) var inFlight = false
    @exclusivity(unchecked) var checkpointQueued = false
    /// Given to the source while it must wait: for a checkpoint's barrier, or for room.
    @exclusivity(unchecked) var holding: PendingAck?
    /// `.downstream`: the rows emitted and not yet acknowledged, and what emitting
    /// them answered, handed back to the source with the record that closed them.
    let emitted = EmittedRows()
    @exclusivity(unchecked) var emitAck = Ack.ready
    var timer: ScheduledWork?
    var idleTimer: ScheduledWork?
    var stopped = false
    let instance = UUID().uuidString
    var sequence = 0

    init(upstream: Streamz.Stream<Element>, source: KafkaSource, client: PostgresClient, table: WindowTable,
         options: MaterializedWindowOptions, key: @escaping (Element) -> Key,
         values: @escaping (Element) -> ColumnAggregation.Input) throws {
        guard source.configuration.offsetStore == .external else { throw MaterializedWindowError.offsetsNotExternal }
        if case .session = options.kind, options.emit == .update { throw MaterializedWindowError.sessionUpdates }
        guard let loop = upstream.clock as? KafkaLoop else { throw MaterializedWindowError.notOnKafkaLoop }
        _ = try WindowState<Key, ColumnAggregation>(kind: options.kind, grace: options.grace, aggregation: ColumnAggregation())
        self.table = table
        self.options = options
        self.source = source
        self.loop = loop
        self.store = CheckpointStore(client: client, pipeline: options.pipeline,
                                     table: options.output == .table ? table : nil)
        self.key = key
        self.values = values
        self.disorderMillis = options.maxOutOfOrder.milliseconds
        self.rejected = Streamz.Stream(name: "rejected", upstream: upstream)
        super.init(name: "postgres:\(table.name)", upstream: upstream)
        upstream.subscribe(self) { [unowned self] element, annotation in self.receive(element, annotation) }
        source.startOffsets = { [weak self] partitions in self?.restore(partitions) ?? [:] }
        source.onRevoke = { [weak self] partitions in self?.revoke(partitions) }
    }

    /// Creates the table when missing and starts checkpointing. Call it before the
    /// source starts.
    public func prepare() async throws {
        try await store.prepareTable()
        await loop.perform { [self] in
            armCheckpointTimer()
            if options.closeOnIdle != nil { armIdleTimer() }
        }
    }

    /// Open (key, window) pairs, over every partition.
    public var openWindows: Int { slots.reduce(0) { $0 + $1.state.openWindowCount } }
    public var pendingRows: Int { pending.count }
    public var assignedPartitions: [TopicPartition] { slots.map(\.partition) }

    // MARK: Records (loop thread)

    /// Generic code here would pay for type metadata on every record (half the loop's
    /// time, measured); the service's record types get specialised copies.
    @_specialize(where Element == KafkaRecord, Key == String)
    @_specialize(where Element == KafkaRecord, Key == [String])
    @_specialize(where Element == KeyedRecord, Key == [String])
    func receive(_ element: Element, _ annotation: Annotation) -> Ack {
        guard let origin = annotation.origin, let index = slot(for: origin) else {
            return reject(element, annotation, nil, .unknownPartition)
        }
        let offset = Int64(origin.slot)
        if offset >= slots[index].nextOffset ?? Int64.min { slots[index].nextOffset = offset + 1 }
        slots[index].changed = true
        if options.closeOnIdle != nil { slots[index].lastArrival = loop.now }
        guard annotation.hasEventTime else { return reject(element, annotation, index, .missingEventTime) }
        let key = self.key(element)
        if let problem = key.storageProblem(maxBytes: options.maxKeyBytes) { return reject(element, annotation, index, .unstorableKey(problem)) }
        let watermark = slots[index].observe(annotation.eventTime, disorderMillis: disorderMillis)
        var ack = Ack.ready
        switch slots[index].state.add(values(element), key: key, eventTime: annotation.eventTime) {
        case .added: break
        case .late(let missed): ack = reject(element, annotation, index, .late(missed: missed))
        case .partiallyLate(let missed): ack = reject(element, annotation, index, .partiallyLate(missed: missed))
        }
        if watermark > slots[index].state.watermark || slots[index].state.watermark == Annotation.noTime {
            slots[index].state.advance(to: watermark) { collect($0) }
        }
        if case .pending = emitAck {
            ack = Ack.all(ack, emitAck)
            emitAck = .ready
        }
        return Ack.all(ack, backPressure())
    }

    private func slot(for origin: Origin) -> Int? {
        if origin.tracker === lastTracker { return lastSlot }
        guard let partition = KafkaSource.partition(of: origin) else { return nil }
        let index = slotIndex[partition] ?? addSlot(partition, restoring: nil)
        lastTracker = origin.tracker
        lastSlot = index
        return index
    }

    private func reject(_ element: Element, _ annotation: Annotation, _ index: Int?,
                        _ reason: RejectedRecord<Element>.Reason) -> Ack {
        rejectedCount += 1
        let watermark = index.flatMap { slots[$0].watermark }
        return rejected.emit(RejectedRecord(element: element, eventTime: annotation.eventTime,
                                            watermark: watermark, reason: reason), annotation)
    }

    func collect(_ result: WindowResult<Key, ColumnAggregation>) {
        if options.output == .downstream { return send(result) }
        let partial: ColumnAggregation.Partial
        switch options.emit {
        case .final: partial = result.partial
        case .update:
            guard let delta = result.delta, delta.count > 0 else { return }
            partial = delta
        }
        let rowKey = PendingRowKey(key: result.key, window: result.window)
        if let existing = pending[rowKey] {
            pending[rowKey] = ColumnAggregation().merge(existing, partial)
        } else {
            pending[rowKey] = partial
        }
    }

    /// Emits a row downstream, counted until its subscribers acknowledge it.
    private func send(_ result: WindowResult<Key, ColumnAggregation>) {
        let row = WindowRow(key: result.key.columnValues, window: result.window, partial: result.partial,
                            isFinal: result.isFinal)
        emitted.retain(0)
        let ack = emit(row, Annotation(eventTime: result.window.end - 1, origin: Origin(tracker: emitted, slot: 0)))
        emitted.release(0)
        emitAck = Ack.all(emitAck, ack)
    }

    private func backPressure() -> Ack {
        if pending.count >= options.flushRows { requestCheckpoint() }
        if holding == nil, inFlight, pending.count >= options.maxPendingRows { holding = PendingAck() }
        if let holding { return .pending(holding) }
        return .ready
    }

    func releaseHold() {
        guard let held = holding, !(inFlight && pending.count >= options.maxPendingRows) else { return }
        holding = nil
        held.complete()
    }

    // MARK: Partitions

    @discardableResult
    func addSlot(_ partition: TopicPartition, restoring stored: StoredPartition?) -> Int {
        var state = try! WindowState<Key, ColumnAggregation>(
            kind: options.kind, grace: options.grace, aggregation: ColumnAggregation(),
            tracksUpdates: options.emit == .update)
        var slot = PartitionWindows(partition: partition, state: state, now: loop.now)
        if let stored {
            if let bytes = stored.state, let checkpoint = try? WindowStateCoding.decode(bytes, as: Key.self),
               let restored = try? WindowState(kind: options.kind, grace: options.grace, aggregation: ColumnAggregation(),
                                               tracksUpdates: options.emit == .update, restoring: checkpoint) {
                state = restored
                slot.state = state
            } else if stored.state != nil {
                logger.error("\(partition): stored window state is unreadable; starting its windows empty")
            }
            if let watermark = stored.watermark { slot.maxEventTime = watermark &+ disorderMillis }
            slot.nextOffset = stored.nextOffset
            slot.epoch = stored.epoch
        }
        if let index = slotIndex[partition] {
            slots[index] = slot
            return index
        }
        slots.append(slot)
        slotIndex[partition] = slots.count - 1
        return slots.count - 1
    }

    /// On assignment (loop thread, inside the rebalance): loads the partitions' last
    /// checkpoint, blocking this thread (the loop's own, never the cooperative pool)
    /// until PostgreSQL answers, and returns where to start.
    func restore(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        let loaded: [TopicPartition: StoredPartition]
        do {
            loaded = try store.load(partitions)
        } catch {
            fail(error)
            return [:]
        }
        var starts: [TopicPartition: Int64] = [:]
        for partition in partitions {
            addSlot(partition, restoring: loaded[partition])
            if let stored = loaded[partition] { starts[partition] = stored.nextOffset }
        }
        lastTracker = nil
        logger.info("assigned \(partitions.count) partition(s); \(loaded.count) restored from checkpoints")
        return starts
    }

    /// On revocation: checkpoint everything (the revoked partitions' records are done:
    /// the source waited for them), then let their state go.
    func revoke(_ partitions: [TopicPartition]) {
        if !stopped {
            if !checkpointAndWait(timeout: source.configuration.revokeTimeout) { logger.warning("revoke: the checkpoint did not finish in time; the next owner replays") }
        }
        let gone = Set(partitions)
        slots.removeAll { gone.contains($0.partition) }
        slotIndex = Dictionary(uniqueKeysWithValues: slots.enumerated().map { ($0.element.partition, $0.offset) })
        lastTracker = nil
    }

    var hasChanges: Bool { !pending.isEmpty || slots.contains { $0.changed } }

    func fail(_ error: any Error) {
        guard failure == nil else { return }
        failure = error
        logger.critical("materialized window \(table.name) failed: \(error)")
        source.abort()
        onFailure?(error)
    }
}

public enum MaterializedWindowError: Error, CustomStringConvertible {
    case sessionUpdates
    case notOnKafkaLoop
    case offsetsNotExternal

    public var description: String {
        switch self {
        case .sessionUpdates: return "session windows cannot be written in update mode: their rows move as sessions merge"
        case .notOnKafkaLoop: return "a materialized window must run on its KafkaSource's loop"
        case .offsetsNotExternal:
            return "a materialized window stores the offsets: configure its KafkaSource with offsetStore = .external"
        }
    }
}

/// Counts the rows emitted downstream that their subscribers still hold.
final class EmittedRows: OriginTracker {
    private(set) var held = 0
    override func retain(_ slot: Int) { held += 1 }
    override func release(_ slot: Int) { held -= 1 }
}

struct PendingRowKey<Key: Hashable>: Hashable {
    var key: Key
    var window: WindowBounds
}
