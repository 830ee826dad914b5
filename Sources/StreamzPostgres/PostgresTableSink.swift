import Logging
import Streamz

public struct PostgresTableSinkOptions: Sendable {
    /// Rows per statement: a batch is written as soon as it has this many.
    public var batchSize: Int
    /// How long a row may wait for its batch to fill before the batch is written anyway.
    public var flushInterval: Duration
    /// Rows accepted while a batch is being written. Once the next batch has this
    /// many, upstream gets `.pending` until the write finishes.
    public var maxPendingRows: Int

    public init(batchSize: Int = 1000, flushInterval: Duration = .milliseconds(100), maxPendingRows: Int = 1000) {
        self.batchSize = batchSize
        self.flushInterval = flushInterval
        self.maxPendingRows = maxPendingRows
    }
}

/// A row PostgreSQL refused (a type error, a constraint violation, a NUL byte), sent
/// to the sink's `deadLetter` output with the element it came from.
public struct PostgresRejectedRow<Element> {
    public let element: Element
    /// The SQLSTATE, when PostgreSQL gave one (e.g. 22P02 bad input, 23505 duplicate).
    public let sqlState: String?
    public let message: String
}

extension PostgresRejectedRow: Sendable where Element: Sendable {}

/// Inserts or upserts elements into a table, in batches of one statement each.
///
/// An element is done (its origin released) only once its batch has committed, or,
/// when PostgreSQL rejects its row, once `deadLetter` has acknowledged it. A lost
/// connection is retried with the client's backoff for as long as it takes; a
/// rejected row is isolated by splitting its batch, so the rows around it still land.
/// A failure that no row is to blame for (missing table or column, permission denied)
/// holds the batch and retries, logging, until the schema is fixed.
///
/// Plain INSERT is at-least-once: a connection lost between the server's commit and
/// its reply makes the retry write the batch again (with a unique key, those
/// duplicates go to dead letter). An upsert is idempotent.
public final class PostgresTableSink<Element>: Sink<Element> {
    /// Rows PostgreSQL refused, each with its element's annotation: the element's
    /// origin stays held until this output acknowledges it.
    public let deadLetter: Streamz.Stream<PostgresRejectedRow<Element>>
    public let table: String
    public let columns: [String]
    /// Rows committed so far (upsert rows merged into a later one count too), and rows
    /// sent to `deadLetter`.
    public private(set) var written = 0
    public private(set) var rejected = 0

    private struct HeldRow {
        let element: Element
        let annotation: Annotation
        let values: [String?]
    }

    private var state: TableSinkBatch<HeldRow>
    private let writer: TableWriter
    private let flushInterval: Duration
    private let values: (Element) -> [any PostgresBindable]
    private var timer: ScheduledWork?
    private var upstreamWaiting: [PendingAck] = []
    private var drainWaiting: [(through: Int, ack: PendingAck)] = []
    private let logger = Logger(label: "streamz.postgres.sink")

    init(upstream: Streamz.Stream<Element>, client: PostgresClient, table: String, columns: [String],
         upsertOn conflictColumns: [String]?, options: PostgresTableSinkOptions,
         values: @escaping (Element) -> [any PostgresBindable]) throws {
        guard !columns.isEmpty, Set(columns).count == columns.count else {
            throw PostgresError(kind: .permanent, sqlState: nil, message: "columns must be non-empty and distinct: \(columns)")
        }
        var keyColumns: [Int]?
        if let conflictColumns {
            keyColumns = try conflictColumns.map { name in
                guard let position = columns.firstIndex(of: name) else {
                    throw PostgresError(kind: .permanent, sqlState: nil,
                                        message: "upsert key column \(name.debugDescription) is not among the columns \(columns)")
                }
                return position
            }
            guard keyColumns?.isEmpty == false else {
                throw PostgresError(kind: .permanent, sqlState: nil, message: "upsertOn needs at least one column")
            }
        }
        self.table = table
        self.columns = columns
        self.writer = try TableWriter(client: client, table: table, columns: columns, keyColumns: keyColumns)
        self.state = TableSinkBatch(batchSize: options.batchSize, maxPendingRows: options.maxPendingRows)
        self.flushInterval = options.flushInterval
        self.values = values
        self.deadLetter = Streamz.Stream(name: "deadLetter:\(table)", upstream: upstream)
        super.init(name: "postgres:\(table)", upstream: upstream)
        upstream.subscribe(self) { element, annotation in
            self.receive(element, annotation)
        }
    }

    public override var downstreams: [StreamNode] { [deadLetter] }

    /// Rows accepted and not yet committed or rejected.
    public var pendingRows: Int { state.queued.count + state.inFlight }

    /// Writes what is pending now, without waiting for the interval, and completes when
    /// every row received so far is committed or dead-lettered. Call on the graph's
    /// executor, e.g. before committing offsets or at shutdown.
    @discardableResult
    public func whenDrained() -> Ack {
        perform(state.flush())
        if state.isDrained { return .ready }
        let ack = PendingAck()
        drainWaiting.append((state.received, ack))
        return .pending(ack)
    }

    /// `whenDrained` from outside the graph's executor: hops onto it, flushes, and
    /// returns once the rows received so far are committed or dead-lettered.
    public func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            clock.execute { self.whenDrained().whenReady { continuation.resume() } }
        }
    }

    private func receive(_ element: Element, _ annotation: Annotation) -> Ack {
        annotation.origin?.retain()
        let row = HeldRow(element: element, annotation: annotation, values: values(element).map(\.postgresText))
        perform(state.append(row))
        guard state.mustWait else { return .ready }
        let waiting = PendingAck()
        upstreamWaiting.append(waiting)
        return .pending(waiting)
    }

    private func perform(_ actions: TableSinkBatch<HeldRow>.Actions) {
        if actions.cancelTimer {
            timer?.cancel()
            timer = nil
        }
        if actions.armTimer {
            timer = clock.schedule(after: flushInterval) { [weak self] in
                guard let self else { return }
                self.timer = nil
                self.perform(self.state.intervalElapsed())
            }
        }
        if let batch = actions.write { write(batch) }
        if !state.mustWait, !upstreamWaiting.isEmpty {
            let resumed = upstreamWaiting
            upstreamWaiting = []
            for ack in resumed { ack.complete() }
        }
    }

    private func write(_ batch: [HeldRow]) {
        let rows = batch.map(\.values)
        let writer = self.writer
        // The statement runs off the executor; its outcome comes back on it. `self` is
        // held strongly so a batch in flight still releases its origins.
        clock.runAsync({ await writer.write(rows) }) { rejections in
            self.finish(batch, rejections: rejections)
        }
    }

    private func finish(_ batch: [HeldRow], rejections: [Int: PostgresError]) {
        var deadLetterAcks: [PendingAck] = []
        for (position, row) in batch.enumerated() {
            if let error = rejections[position] {
                rejected += 1
                if deadLetter.downstreams.isEmpty {
                    logger.error("\(table): row rejected and no dead-letter output is connected: \(error)")
                }
                let rejection = PostgresRejectedRow(element: row.element, sqlState: error.sqlState, message: error.message)
                if case .pending(let ack) = deadLetter.emit(rejection, row.annotation) { deadLetterAcks.append(ack) }
            } else {
                written += 1
            }
            row.annotation.origin?.release()
        }
        // The batch is over only once the dead-letter output has taken its rejects: a
        // slow dead-letter sink slows this sink, and so upstream, instead of piling up.
        if deadLetterAcks.isEmpty { return batchFinished() }
        PendingAck.joining(deadLetterAcks).whenComplete { self.batchFinished() }
    }

    private func batchFinished() {
        perform(state.batchFinished())
        let finished = state.finished
        let done = drainWaiting.filter { $0.through <= finished }
        drainWaiting.removeAll { $0.through <= finished }
        for waiter in done { waiter.ack.complete() }
    }
}

extension Streamz.Stream {
    /// Inserts every element into `table` as the row `values` gives (one value per
    /// column, in `columns` order), or upserts it on `upsertOn` (the columns of a
    /// unique index or primary key) when given. Identifiers are quoted; values are
    /// bound, never spliced. Rows PostgreSQL refuses come out of `deadLetter`.
    ///
    /// ```swift
    /// let sink = try events.sinkToPostgres(client, table: "events", columns: ["id", "user", "amount"],
    ///                                      upsertOn: ["id"]) { [$0.id, $0.user, $0.amount] }
    /// sink.deadLetter.sink { print("rejected:", $0.message) }
    /// ```
    @discardableResult
    public final func sinkToPostgres(
        _ client: PostgresClient, table: String, columns: [String], upsertOn conflictColumns: [String]? = nil,
        options: PostgresTableSinkOptions = PostgresTableSinkOptions(),
        values: @escaping (Element) -> [any PostgresBindable]
    ) throws -> PostgresTableSink<Element> {
        try PostgresTableSink(upstream: self, client: client, table: table, columns: columns,
                              upsertOn: conflictColumns, options: options, values: values)
    }
}
