/// When `PostgresTableSink` writes, without any I/O: a batch goes out when it is full,
/// when its oldest row has waited the flush interval, or when a flush asks for it,
/// whichever comes first; one batch is written at a time; upstream waits while a batch
/// is being written and the next one has reached `maxPendingRows`.
///
/// The sink feeds it events (a row, the timer, a flush, a finished batch) and performs
/// the actions it returns, so every decision is tested without a database or a clock.
struct TableSinkBatch<Row> {
    struct Actions {
        /// Write these rows now, as one batch.
        var write: [Row]?
        /// Start the interval timer for the rows now queued.
        var armTimer = false
        /// The armed timer is no longer needed: what it was for has been taken.
        var cancelTimer = false
    }

    let batchSize: Int
    let maxPendingRows: Int
    /// Rows accepted and not yet handed to a write, oldest first.
    private(set) var queued: [Row] = []
    /// Rows of the batch being written; 0 when no write is running.
    private(set) var inFlight = 0
    /// Rows accepted so far, and rows whose batch has finished: a flush waits for the
    /// second to catch up with what the first was when it was asked.
    private(set) var received = 0
    private(set) var finished = 0
    private var taken = 0
    private var flushThrough = 0
    private var timerArmed = false
    /// The interval passed while a batch was being written: the next one goes at once.
    private var due = false

    init(batchSize: Int, maxPendingRows: Int) {
        precondition(batchSize > 0, "batchSize must be positive")
        precondition(maxPendingRows > 0, "maxPendingRows must be positive")
        self.batchSize = batchSize
        self.maxPendingRows = maxPendingRows
    }

    /// Whether upstream must wait before sending more. Only a running write is a reason:
    /// when idle, a full batch is written at once and the queue empties.
    var mustWait: Bool { inFlight > 0 && queued.count >= maxPendingRows }

    /// Everything accepted so far has been written or rejected.
    var isDrained: Bool { finished == received }

    mutating func append(_ row: Row) -> Actions {
        queued.append(row)
        received += 1
        return step()
    }

    mutating func intervalElapsed() -> Actions {
        timerArmed = false
        if !queued.isEmpty { due = true }
        return step()
    }

    /// Writes everything accepted so far without waiting for the interval. The flush is
    /// complete once `finished` reaches the `received` of the moment it was asked.
    mutating func flush() -> Actions {
        flushThrough = received
        return step()
    }

    mutating func batchFinished() -> Actions {
        precondition(inFlight > 0, "no batch is being written")
        finished += inFlight
        inFlight = 0
        return step()
    }

    private mutating func step() -> Actions {
        var actions = Actions()
        let wanted = queued.count >= batchSize || due || taken < flushThrough
        if inFlight == 0, !queued.isEmpty, wanted {
            let count = min(batchSize, queued.count)
            actions.write = Array(queued.prefix(count))
            queued.removeFirst(count)
            inFlight = count
            taken += count
            due = false
            // A timer armed for rows that have now all gone would only cause an early,
            // small batch later.
            if queued.isEmpty, timerArmed {
                timerArmed = false
                actions.cancelTimer = true
            }
        }
        if !queued.isEmpty, !timerArmed {
            timerArmed = true
            actions.armTimer = true
        }
        return actions
    }
}

/// Rows of one upsert batch grouped by conflict key, because `ON CONFLICT DO UPDATE`
/// cannot touch the same row twice in one statement. Each group lists the positions of
/// the rows with that key, oldest first; the last one is the one written, the earlier
/// ones are kept so a rejected last version can fall back to the one before it (what
/// writing them one by one would have left in the table).
///
/// A key with a NULL part is never merged: NULLs do not conflict in a unique index.
/// Keys are compared as text, so two spellings of one value ("1" and "01" for an
/// integer) stay apart; the statement then fails with a cardinality violation and the
/// bisection writes them in separate statements, in order.
func groupByConflictKey(_ rows: [[String?]], keyColumns: [Int]) -> [[Int]] {
    var groups: [[Int]] = []
    var groupOfKey: [[String?]: Int] = [:]
    for (position, row) in rows.enumerated() {
        let key = keyColumns.map { row[$0] }
        if key.contains(where: { $0 == nil }) {
            groups.append([position])
        } else if let group = groupOfKey[key] {
            groups[group].append(position)
        } else {
            groupOfKey[key] = groups.count
            groups.append([position])
        }
    }
    return groups
}
