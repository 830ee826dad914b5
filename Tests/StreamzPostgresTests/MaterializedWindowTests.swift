import Foundation
import Streamz
@testable import StreamzKafka
@testable import StreamzPostgres
import Testing

/// Every suite that runs Kafka → window → PostgreSQL pipelines runs one test at a time,
/// under this suite: each runs several loops, brokers and connections, and on a
/// two-core machine their blocking calls can otherwise crowd Swift's small pool.
@Suite(.serialized, .timeLimit(.minutes(4))) enum WindowPipelineIntegration {}

extension WindowPipelineIntegration {
/// Kafka → 1 s tumbling window per page → PostgreSQL, against the embedded broker and
/// the real server `make test` starts.
@Suite struct MaterializedWindowTests {
    /// Ten crashes at random moments: between checkpoints, with a write in flight
    /// (which may land or roll back), and inside a checkpoint's transaction after
    /// its rows are written. Each restart restores the windows and offsets from the
    /// last checkpoint; the table must equal a recomputation, with no loss and no
    /// double count.
    @Test(arguments: [TableEmitMode.final, .update])
    func exactlyOnceSurvivesCrashesAnywhere(emit: TableEmitMode) async throws {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("exactly-once \(emit): seed \(seed)")
        var random = SeededGenerator(seed: seed)
        let clicks = makeClicks(30_000, pages: 40, disorder: 800, seed: seed)
        guard let fixture = try await WindowFixture.make(clicks: clicks) else { return }
        let crashes = emit == .final ? 10 : 4
        for iteration in 0..<crashes {
            let kind = Int.random(in: 0..<3, using: &random)
            let armed = Locked(false)
            let pipeline = try ClickWindowPipeline(bootstrap: fixture.kafka.bootstrapServers, databaseURL: fixture.url,
                                                   topic: "clicks", emit: emit)
            if kind == 2 {
                // Inside a batch: the rows and state are written, the COMMIT never comes.
                pipeline.window.store.beforeCommit = {
                    if armed.withLock({ $0 }) { throw PostgresError(kind: .permanent, sqlState: nil, message: "crash before COMMIT") }
                }
            }
            let remaining = clicks.count - Int(try await storedOffsets(pipeline.client, pipeline: "page_views"))
            try await pipeline.start()
            // Replays count too, so the target may pass what is left: stop at the end.
            let target = min(Int.random(in: 300...3_000, using: &random), remaining)
            try await eventually("incarnation \(iteration) to take \(target) records") {
                let assigned = await pipeline.loop.perform { pipeline.window.assignedPartitions.count }
                return await pipeline.consumed >= target && assigned == 4
            }
            if kind == 2 {
                // The next checkpoint fails inside its transaction; if none comes (the
                // input is all taken), this is a plain crash.
                armed.withLock { $0 = true }
                try? await eventually("a checkpoint to crash", timeout: .seconds(3), reportTimeout: false) {
                    await pipeline.loop.perform { pipeline.window.failure != nil }
                }
            }
            await pipeline.crash(dropConnection: kind == 1)
        }
        let last = try ClickWindowPipeline(bootstrap: fixture.kafka.bootstrapServers, databaseURL: fixture.url,
                                           topic: "clicks", emit: emit)
        try await last.start()
        try await eventually("every record checkpointed", timeout: .seconds(90)) {
            try await storedOffsets(last.client, pipeline: "page_views") == Int64(clicks.count)
        }
        await last.window.closeAllAndCheckpoint()
        let table = try await readTable(last.client, "page_views")
        let rejected = last.rejected.withLock { $0.count }
        await last.stop()
        await fixture.tearDown()

        #expect(rejected == 0, "seed \(seed)")
        let expected = recompute(clicks, windowMillis: 1_000)
        #expect(table.count == expected.count, "seed \(seed)")
        var wrong: [String] = []
        for (id, row) in expected where table[id].map({ !$0.matches(row) }) ?? true {
            wrong.append("\(id): table \(table[id].map(\.description) ?? "missing"), expected \(row)")
        }
        #expect(wrong.isEmpty, "seed \(seed): \(wrong.count) rows differ, e.g. \(wrong.prefix(5))")
    }

    /// Keys are bound as parameters: whatever they hold lands as data. Keys that
    /// PostgreSQL text cannot hold are rejected with a reason, never dropped.
    @Test func hostileKeysLandAsData() async throws {
        let hostile = ["x'); DROP TABLE page_views; --", "\"quoted\"", "back\\slash", "{braces}", "NULL", "",
                       "tab\tand\nnewline", "ünïcödé 🎉", "$1", "' OR 1=1 --"]
        let base: Int64 = 1_700_000_000_000
        var clicks = hostile.enumerated().map { Click(page: $0.element, value: Double($0.offset), time: base + Int64($0.offset)) }
        clicks.append(Click(page: "nul\u{0}byte", value: 1, time: base + 20))
        clicks.append(Click(page: String(repeating: "k", count: 3_000), value: 1, time: base + 21))
        guard let fixture = try await WindowFixture.make(clicks: clicks, partitions: 1) else { return }
        let pipeline = try ClickWindowPipeline(bootstrap: fixture.kafka.bootstrapServers, databaseURL: fixture.url, topic: "clicks")
        try await pipeline.start()
        try await eventually("every record taken") { await pipeline.consumed == clicks.count }
        await pipeline.window.closeAllAndCheckpoint()
        let table = try await readTable(pipeline.client, "page_views")
        let rejected = pipeline.rejected.withLock { $0 }
        await pipeline.stop()
        await fixture.tearDown()

        #expect(Set(table.keys.map { String($0[..<$0.lastIndex(of: "@")!]) }) == Set(hostile))
        #expect(rejected.count == 2)
        #expect(rejected.allSatisfy { if case .unstorableKey = $0.reason { true } else { false } })
    }

    /// Records of closed windows go to `rejected` (the dead-letter output), and the
    /// checkpoint waits until that output has them.
    @Test func lateRecordsAreRejectedNotDropped() async throws {
        let base: Int64 = 1_700_000_000_000
        let clicks = [Click(page: "a", value: 1, time: base), Click(page: "a", value: 2, time: base + 5_000),
                      Click(page: "a", value: 3, time: base + 10)]
        guard let fixture = try await WindowFixture.make(clicks: clicks, partitions: 1) else { return }
        let pipeline = try ClickWindowPipeline(bootstrap: fixture.kafka.bootstrapServers, databaseURL: fixture.url, topic: "clicks")
        try await pipeline.start()
        try await eventually("the three records checkpointed") {
            try await storedOffsets(pipeline.client, pipeline: "page_views") == 3
        }
        let table = try await readTable(pipeline.client, "page_views")
        let rejected = pipeline.rejected.withLock { $0 }
        await pipeline.stop()
        await fixture.tearDown()
        #expect(table == ["a@\(base)": ExpectedRow(views: 1, total: 1, top: 1)])
        #expect(rejected.map(\.element.offset) == [2])
        #expect(rejected.first?.reason == .late(missed: [WindowBounds(start: base, end: base + 1_000)]))
    }
}

/// Window rows to Kafka, with PostgreSQL as the checkpoint store only.
@Suite struct DownstreamWindowTests {
    /// At least once: after crashes every window's final row is in the output topic,
    /// with the right values; a replay may repeat a row, never change it.
    @Test func rowsReachKafkaAndStateIsCheckpointedInPostgres() async throws {
        let clicks = makeClicks(8_000, pages: 20, disorder: 500, seed: 11)
        guard let fixture = try await WindowFixture.make(clicks: clicks) else { return }
        try fixture.kafka.createTopic("views", partitions: 2)
        for iteration in 0..<3 {
            let pipeline = try ClickWindowPipeline(bootstrap: fixture.kafka.bootstrapServers, databaseURL: fixture.url,
                                                   topic: "clicks", output: "views")
            let remaining = clicks.count - Int(try await storedOffsets(pipeline.client, pipeline: "page_views"))
            try await pipeline.start()
            if iteration < 2 {
                let target = min(1_500, remaining)
                try await eventually("incarnation \(iteration) to take \(target) records") { await pipeline.consumed >= target }
                await pipeline.crash(dropConnection: iteration == 1)
                continue
            }
            try await eventually("every record checkpointed", timeout: .seconds(90)) {
                try await storedOffsets(pipeline.client, pipeline: "page_views") == Int64(clicks.count)
            }
            await pipeline.window.closeAllAndCheckpoint()
            await pipeline.stop()
        }
        let rows = try await readTopic("views", count: recompute(clicks, windowMillis: 1_000).count,
                                       bootstrap: fixture.kafka.bootstrapServers)
        await fixture.tearDown()
        var seen: [String: ExpectedRow] = [:]
        var changed: [String] = []
        for row in rows {
            let fields = row.split(separator: ",")
            let id = "\(fields[0])@\(fields[1])"
            let value = ExpectedRow(views: Int64(fields[2])!, total: Double(fields[3])!, top: Double(fields[4])!)
            if let earlier = seen[id], earlier != value { changed.append(id) }
            seen[id] = value
        }
        #expect(changed.isEmpty, "a replayed row differs: \(changed.prefix(5))")
        #expect(seen == recompute(clicks, windowMillis: 1_000))
    }
}

}

/// Reads `topic` from the beginning until `count` distinct rows (and whatever else came
/// with them) are in, as text values.
func readTopic(_ topic: String, count: Int, bootstrap: String) async throws -> [String] {
    let loop = KafkaLoop()
    var configuration = KafkaSourceConfiguration(bootstrapServers: bootstrap, groupID: "reader-\(UUID())", topics: [topic])
    configuration.properties = fastGroup
    let source = try KafkaSource(configuration, loop: loop)
    let values = Locked<[String]>([])
    source.sink { record in values.withLock { $0.append(record.valueString ?? "") } }
    source.start()
    try await eventually("\(count) rows in \(topic)") {
        Set(values.withLock { $0 }.map { $0.split(separator: ",").prefix(2).joined(separator: ",") }).count >= count
    }
    try await Task.sleep(for: .milliseconds(300))  // duplicates still in flight
    await source.shutdown()
    _ = try? await offPool { loop.shutdown() }
    return values.withLock { $0 }
}

extension ExpectedRow {
    /// Sums of quarters are exact in a double, whatever the order they were added in.
    func matches(_ other: ExpectedRow) -> Bool { self == other }
}
