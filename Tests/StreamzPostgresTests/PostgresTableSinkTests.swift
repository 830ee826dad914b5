import Foundation
import Streamz
import Testing
@testable import StreamzPostgres

/// The batching decisions alone: no database, no clock.
@Suite struct TableSinkBatchTests {
    @Test func aBatchGoesOutWhenFullOrWhenTheIntervalPasses() {
        var batch = TableSinkBatch<Int>(batchSize: 3, maxPendingRows: 3)
        let first = batch.append(1)
        #expect(first.write == nil && first.armTimer, "the first row of a batch starts the interval")
        #expect(batch.append(2).write == nil)
        let full = batch.append(3)
        #expect(full.write == [1, 2, 3] && full.cancelTimer, "a full batch goes at once; its timer is moot")
        #expect(batch.append(4).armTimer, "the next batch's first row starts a new interval")
        #expect(batch.intervalElapsed().write == nil, "one write at a time")
        #expect(batch.batchFinished().write == [4], "the interval passed during the write: the next goes now")
        #expect(batch.batchFinished().write == nil)
        #expect(batch.isDrained && batch.finished == 4)
    }

    @Test func upstreamWaitsOnlyWhileAWriteRunsAndTheNextBatchIsFull() {
        var batch = TableSinkBatch<Int>(batchSize: 2, maxPendingRows: 2)
        _ = batch.append(1)
        #expect(batch.append(2).write == [1, 2])
        _ = batch.append(3)
        #expect(!batch.mustWait)
        _ = batch.append(4)
        #expect(batch.mustWait, "a write runs and the next batch is full")
        #expect(batch.batchFinished().write == [3, 4])
        #expect(!batch.mustWait)

        var small = TableSinkBatch<Int>(batchSize: 10, maxPendingRows: 1)
        _ = small.append(1)
        _ = small.append(2)
        #expect(!small.mustWait, "nothing is being written: a bound below the batch size is no reason to wait")
    }

    @Test func aFlushWritesEverythingReceivedSoFarInBatches() {
        var batch = TableSinkBatch<Int>(batchSize: 2, maxPendingRows: 10)
        _ = batch.append(1)
        #expect(batch.flush().write == [1])
        _ = batch.append(2)
        _ = batch.append(3)
        _ = batch.append(4)
        #expect(batch.flush().write == nil, "still writing the first")
        #expect(batch.batchFinished().write == [2, 3])
        #expect(batch.batchFinished().write == [4], "the flush covers row 4 too")
        _ = batch.append(5)
        #expect(batch.batchFinished().write == nil, "row 5 came after the flush: it waits for its interval")
        #expect(batch.received == 5 && batch.finished == 4)
    }

    @Test func upsertRowsAreGroupedByKeyOldestFirstAndNullKeysNeverMerge() {
        let rows: [[String?]] = [["a", "1"], ["b", "2"], ["a", "3"], [nil, "4"], [nil, "5"], ["a", "6"]]
        #expect(groupByConflictKey(rows, keyColumns: [0]) == [[0, 2, 5], [1], [3], [4]])
    }
}

/// The sink against a real server. Each test has its own database.
@Suite struct PostgresTableSinkTests {
    struct Row: Sendable {
        var id: String
        var user: String?
        var amount: String?
        var values: [any PostgresBindable] { [id, user, amount] }
    }

    @Test func insertsAndUpsertsLand() async throws {
        try await withDatabase { client in
            try await client.query(#"CREATE TABLE events (id integer PRIMARY KEY, "user" text, amount numeric)"#)
            let clock = ManualClock()
            let source = Streamz.Stream<Row>(clock: clock)
            let inserts = try source.sinkToPostgres(client, table: "events", columns: ["id", "user", "amount"]) { $0.values }
            source.emit(Row(id: "1", user: "ann", amount: "1.5"))
            source.emit(Row(id: "2", user: "bob", amount: nil))
            clock.advance(by: .milliseconds(99))
            await clock.settle()
            #expect(inserts.pendingRows == 2, "neither full nor due yet")
            clock.advance(by: .milliseconds(1))
            await clock.settle()
            #expect(inserts.written == 2 && inserts.pendingRows == 0)
            inserts.destroy()

            let upserts = try source.sinkToPostgres(
                client, table: "events", columns: ["id", "user", "amount"], upsertOn: ["id"]) { $0.values }
            source.emit(Row(id: "2", user: "bob", amount: "7"))
            source.emit(Row(id: "3", user: "cy", amount: "0.25"))
            upserts.whenDrained()
            await clock.settle()
            #expect(upserts.written == 2 && upserts.rejected == 0)
            let rows = try await client.query(#"SELECT id, "user", amount FROM events ORDER BY id"#).rows
            #expect(rows == [["1", "ann", "1.5"], ["2", "bob", "7"], ["3", "cy", "0.25"]])
        }
    }

    @Test func repeatedKeysInOneBatchAreMergedAndTheLastWins() async throws {
        try await withDatabase { client in
            try await client.query("CREATE TABLE totals (k text PRIMARY KEY, v integer NOT NULL CHECK (v >= 0))")
            let clock = ManualClock()
            let tracker = ReleaseTracker()
            let source = Streamz.Stream<(String, Int)>(clock: clock)
            let sink = try source.sinkToPostgres(client, table: "totals", columns: ["k", "v"], upsertOn: ["k"]) {
                [$0.0, $0.1]
            }
            let deadLetters = sink.deadLetter.sinkToList()
            let rows = [("a", 1), ("b", 2), ("a", 3), ("a", 4), ("c", 5), ("b", 6), ("a", -7)]
            for (slot, (key, value)) in rows.enumerated() {
                tracker.emit((key, value), slot: slot, into: source)
            }
            sink.whenDrained()
            await clock.settle()
            #expect(sink.written == 6 && sink.rejected == 1, "merged rows count as written")
            #expect(deadLetters.values.map(\.element.1) == [-7] && deadLetters.values.first?.sqlState == "23514",
                    "the rejected last version of a falls back to the one before it")
            #expect(tracker.done.sorted() == Array(0..<7))
            #expect(try await client.query("SELECT k, v FROM totals ORDER BY k").rows == [["a", "4"], ["b", "6"], ["c", "5"]])
        }
    }

    @Test func hostileStringsAndIdentifiersLandAsData() async throws {
        try await withDatabase { client in
            let table = "t \"odd\"; DROP TABLE x; --"
            let column = "we\"ird, col"
            try await client.query("CREATE TABLE \(try SQLIdentifier.quote(table)) (n integer, \(try SQLIdentifier.quote(column)) text)")
            let hostile: [String?] = [
                "x'); DROP TABLE t; --", "it's", "say \"hi\"", #"back\slash"#, #"\""#, "{braces}", "{", "}",
                "a,b", "NULL", "null", "", " padded ", "line\nbreak\ttab", "naïve ☃ \u{1F600}", "$1", nil,
            ]
            let clock = ManualClock()
            let source = Streamz.Stream<(Int, String?)>(clock: clock)
            let sink = try source.sinkToPostgres(
                client, table: table, columns: ["n", column], options: PostgresTableSinkOptions(batchSize: 5)
            ) { [$0.0, $0.1] }
            for (n, value) in hostile.enumerated() { source.emit((n, value)) }
            sink.whenDrained()
            await clock.settle()
            #expect(sink.written == hostile.count && sink.rejected == 0)
            let rows = try await client.query(
                "SELECT \(try SQLIdentifier.quote(column)) AS v FROM \(try SQLIdentifier.quote(table)) ORDER BY n")
            #expect(rows.rows.map { $0[0] } == hostile)
            #expect(try await client.query("SELECT to_regclass('x') IS NULL AS gone")[0, "gone"] == "t")
        }
    }

    @Test func badRowsGoToDeadLetterWithTheirErrorWhileTheRowsAroundThemLand() async throws {
        try await withDatabase { client in
            try await client.query("""
                CREATE TABLE checked (id integer PRIMARY KEY, "user" text NOT NULL, amount integer CHECK (amount >= 0))
                """)
            let rows = [
                Row(id: "1", user: "ann", amount: "5"),
                Row(id: "x'); DROP TABLE checked; --", user: "bob", amount: "1"),  // not an integer
                Row(id: "3", user: nil, amount: "1"),  // NOT NULL
                Row(id: "4", user: "dan", amount: "-1"),  // CHECK
                Row(id: "5", user: "e\u{0}ve", amount: "1"),  // NUL byte
                Row(id: "6", user: "fay", amount: "2"),
                Row(id: "1", user: "again", amount: "3"),  // duplicate key
                Row(id: "8", user: "hal", amount: "99999999999"),  // out of range
                Row(id: "9", user: "ivy", amount: nil),
            ]
            let clock = ManualClock()
            let tracker = ReleaseTracker()
            let gate = DeadLetterGate()
            let source = Streamz.Stream<Row>(clock: clock)
            let sink = try source.sinkToPostgres(client, table: "checked", columns: ["id", "user", "amount"]) { $0.values }
            let deadLetters = sink.deadLetter.sinkToList()
            // A dead-letter sink that has not finished: the rejected rows stay held.
            sink.deadLetter.sink { (_: PostgresRejectedRow<Row>) async in await gate.wait() }
            for (slot, row) in rows.enumerated() { tracker.emit(row, slot: slot, into: source) }
            let drained = sink.whenDrained()
            try await drive(clock, until: "the batch is written") { deadLetters.values.count == 6 }

            #expect(deadLetters.values.map(\.element.id) == ["x'); DROP TABLE checked; --", "3", "4", "5", "1", "8"])
            #expect(deadLetters.values.map(\.sqlState) == ["22P02", "23502", "23514", "22021", "23505", "22003"])
            #expect(deadLetters.values[0].message.contains("invalid input syntax for type integer"))
            #expect(deadLetters.values[2].message.contains("checked_amount_check"))
            #expect(try await client.query("SELECT id FROM checked ORDER BY id").rows == [["1"], ["6"], ["9"]])
            #expect(sink.written == 3 && sink.rejected == 6)
            #expect(tracker.done.sorted() == [0, 5, 8], "rejected rows wait for the dead-letter output")
            #expect(!drained.isReady && sink.pendingRows == 9)

            await gate.open()
            try await drive(clock, until: "the dead-letter sink has finished") { tracker.done.count == rows.count }
            if case .pending(let ack) = drained { #expect(ack.isComplete) }
            #expect(sink.pendingRows == 0)
        }
    }

    @Test func backPressureHoldsOriginsUntilTheBatchCommits() async throws {
        try await withDatabase { client in
            try await client.query("CREATE TABLE numbers (n integer PRIMARY KEY)")
            let clock = ManualClock()
            let tracker = ReleaseTracker()
            let source = Streamz.Stream<Int>(clock: clock)
            let options = PostgresTableSinkOptions(batchSize: 2, maxPendingRows: 2)
            let sink = try source.sinkToPostgres(client, table: "numbers", columns: ["n"], options: options) { [$0] }
            #expect(tracker.emit(1, slot: 1, into: source).isReady)
            #expect(tracker.emit(2, slot: 2, into: source).isReady, "a full batch: its write starts")
            #expect(tracker.emit(3, slot: 3, into: source).isReady)
            let full = tracker.emit(4, slot: 4, into: source)
            guard case .pending(let room) = full else {
                Issue.record("a write runs and the next batch is full: upstream must wait")
                return
            }
            #expect(tracker.done.isEmpty, "nothing is done before its COMMIT")
            #expect(sink.pendingRows == 4)

            try await drive(clock, until: "the first batch commits") { !tracker.done.isEmpty }
            #expect(tracker.done == [1, 2])
            #expect(try await client.query("SELECT n FROM numbers WHERE n <= 2 ORDER BY n").rows == [["1"], ["2"]],
                    "released after the rows are in the table")
            #expect(room.isComplete, "the next batch went out: there is room again")

            let drained = sink.whenDrained()
            try await drive(clock, until: "everything is written") { tracker.done.count == 4 }
            if case .pending(let ack) = drained { #expect(ack.isComplete) }
            #expect(tracker.done == [1, 2, 3, 4])
            #expect(tracker.holds.values.allSatisfy { $0 == 0 }, "released exactly once")
        }
    }

    @Test func aLostConnectionLosesNothing() async throws {
        try await withDatabase { client, url in
            try await client.query("CREATE TABLE received (n integer PRIMARY KEY)")
            let count = 3000
            let clock = LoopClock(label: "table-sink-test")
            let tracker = ReleaseTracker()
            let source = Streamz.Stream<Int>(clock: clock)
            let options = PostgresTableSinkOptions(batchSize: 50, flushInterval: .milliseconds(5), maxPendingRows: 100)
            // Built before anything runs on the loop; used only on it from here on.
            let sink = try source.sinkToPostgres(client, table: "received", columns: ["n"], upsertOn: ["n"],
                                                 options: options) { [$0] }
            let killer = PostgresClient(url: url)
            defer { killer.close() }
            for n in 1...count {
                if n % 600 == 0 {
                    // Mid-run, with batches queued and in flight: the sink's connection is
                    // the only other one in this database.
                    try await waitUntil("the sink's connection is terminated") {
                        try await killer.query("""
                            SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
                            WHERE datname = current_database() AND pid <> pg_backend_pid()
                              AND backend_type = 'client backend'
                            """).rows.contains { $0[0] == "t" }
                    }
                }
                let pending = await clock.perform { () -> PendingAck? in
                    if case .pending(let ack) = tracker.emit(n, slot: n, into: source) { return ack }
                    return nil
                }
                await pending?.wait()
            }
            await sink.flush()

            let (done, written, rejected) = await clock.perform { (tracker.done.count, sink.written, sink.rejected) }
            #expect(done == count && written == count && rejected == 0)
            #expect(try await client.query("SELECT count(*) AS n FROM received").int(0, "n") == Int64(count))
        }
    }

    @Test func aMissingTableHoldsTheRowsUntilItExists() async throws {
        try await withDatabase { client in
            let clock = ManualClock()
            let tracker = ReleaseTracker()
            let source = Streamz.Stream<Int>(clock: clock)
            let sink = try source.sinkToPostgres(client, table: "later", columns: ["n"]) { [$0] }
            let deadLetters = sink.deadLetter.sinkToList()
            for n in 1...3 { tracker.emit(n, slot: n, into: source) }
            let drained = sink.whenDrained()
            // Nothing can be awaited for "still failing": look a little later, negatively.
            try await Task.sleep(for: .milliseconds(300))
            clock.runQueued()
            #expect(!drained.isReady && deadLetters.values.isEmpty && tracker.done.isEmpty,
                    "no row is to blame for a missing table: nothing is dead-lettered or done")
            try await client.query("CREATE TABLE later (n integer)")
            try await drive(clock, until: "the rows land once the table exists") { tracker.done.count == 3 }
            #expect(try await client.query("SELECT count(*) AS n FROM later").int(0, "n") == 3)
        }
    }
}

/// Counts holds per slot as an offset tracker would, and records which became done.
private final class ReleaseTracker: OriginTracker {
    private(set) var holds: [Int: Int] = [:]
    private(set) var done: [Int] = []

    override func retain(_ slot: Int) { holds[slot, default: 0] += 1 }

    override func release(_ slot: Int) {
        let remaining = holds[slot, default: 0] - 1
        precondition(remaining >= 0, "slot \(slot) released more often than retained")
        holds[slot] = remaining
        if remaining == 0 { done.append(slot) }
    }

    /// Emits as a source does: holds the record for the duration of `emit`.
    @discardableResult
    func emit<T>(_ element: T, slot: Int, into stream: Streamz.Stream<T>) -> Ack {
        let origin = Origin(tracker: self, slot: slot)
        origin.retain()
        let ack = stream.emit(element, Annotation(origin: origin))
        origin.release()
        return ack
    }
}

/// Holds a dead-letter sink's calls until the test opens it.
private actor DeadLetterGate {
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func open() {
        isOpen = true
        for continuation in waiting { continuation.resume() }
        waiting = []
    }
}

private struct TimedOut: Error {}

/// Polls `condition` until it holds, or fails the test: the database is real, so its
/// round trips take real time.
private func waitUntil(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(try await condition()) {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out waiting until \(what)")
            throw TimedOut()
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// `waitUntil` for a graph on a `ManualClock`: runs the work the database replies hand
/// back to the graph while it waits.
private func drive(_ clock: ManualClock, until what: String, _ condition: () -> Bool) async throws {
    try await waitUntil(what) {
        clock.runQueued()
        return condition()
    }
}

/// Runs `body` with a client on a fresh database, dropped afterwards.
private func withDatabase(_ body: (PostgresClient, String) async throws -> Void) async throws {
    guard let base = serverURLForTests() else { return }
    let (url, name) = try await freshDatabase(base)
    let client = PostgresClient(url: url, backoff: Backoff(initial: .milliseconds(5), maximum: .milliseconds(50)))
    do {
        try await body(client, url)
    } catch {
        client.close()
        await dropDatabase(base, name)
        throw error
    }
    client.close()
    await dropDatabase(base, name)
}

private func withDatabase(_ body: (PostgresClient) async throws -> Void) async throws {
    try await withDatabase { client, _ in try await body(client) }
}
