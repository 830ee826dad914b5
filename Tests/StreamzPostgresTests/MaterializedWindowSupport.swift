import CRdKafka
import Foundation
import Streamz
@testable import StreamzKafka
@testable import StreamzPostgres
import Testing

/// Group settings that make the mock cluster's rebalances quick.
let fastGroup: [String: String] = [
    "session.timeout.ms": "3000",
    "heartbeat.interval.ms": "200",
    "fetch.wait.max.ms": "20",
    "topic.metadata.refresh.interval.ms": "500",
    "log_level": "3",
]

/// Polls `condition` (real brokers and servers: there is nothing to await) until it
/// holds, or fails the test.
func eventually(_ what: String, timeout: Duration = .seconds(60), reportTimeout: Bool = true,
                _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(try await condition()) {
        if ContinuousClock.now >= deadline {
            if reportTimeout { Issue.record("timed out waiting for \(what)") }
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// Runs a blocking call (a loop's shutdown, a producer's flush, a broker's teardown,
/// pg_ctl) on a thread of its own: on Swift's small cooperative pool it could starve
/// the tasks the call is waiting for.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// A click: `page,value` in the record value, its event time as the Kafka timestamp.
struct Click: Sendable {
    var page: String
    var value: Double
    var time: Int64
}

/// `count` clicks over `pages` pages, 10 ms of event time apart, each up to
/// `disorder` ms early so partitions see time go back a little.
func makeClicks(_ count: Int, pages: Int, disorder: Int64, seed: UInt64) -> [Click] {
    var generator = SeededGenerator(seed: seed)
    let base: Int64 = 1_700_000_000_000
    return (0..<count).map { index in
        Click(page: "page-\(Int.random(in: 0..<pages, using: &generator))",
              value: Double(Int.random(in: 0..<1000, using: &generator)) / 4,
              time: base + Int64(index) * 10 - Int64.random(in: 0...disorder, using: &generator))
    }
}

func produce(_ clicks: [Click], to topic: String, bootstrap: String) throws {
    let failed = Locked(0)
    let producer = try RDKafkaProducer(properties: ["bootstrap.servers": bootstrap, "log_level": "3",
                                                    "compression.codec": "lz4"]) { batch in
        failed.withLock { $0 += batch.filter { $0.error != 0 }.count }
    }
    for (index, click) in clicks.enumerated() {
        while producer.produce(topic: topic, key: Array(click.page.utf8), value: Array("\(click.page),\(click.value)".utf8),
                               headers: [], timestamp: click.time, token: index + 1) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
            Thread.sleep(forTimeInterval: 0.002)
        }
    }
    #expect(producer.flush(timeoutMilliseconds: 30_000))
    producer.close()
    #expect(failed.withLock { $0 } == 0)
}

/// The aggregates, recomputed from the clicks with nothing of the pipeline's code.
struct ExpectedRow: Equatable, CustomStringConvertible {
    var views: Int64
    var total: Double
    var top: Double

    var description: String { "(\(views), \(total), \(top))" }
}

func recompute(_ clicks: [Click], windowMillis: Int64) -> [String: ExpectedRow] {
    var rows: [String: ExpectedRow] = [:]
    for click in clicks {
        let start = click.time - ((click.time % windowMillis) + windowMillis) % windowMillis
        let id = "\(click.page)@\(start)"
        var row = rows[id] ?? ExpectedRow(views: 0, total: 0, top: -.infinity)
        row.views += 1
        row.total += click.value
        row.top = max(row.top, click.value)
        rows[id] = row
    }
    return rows
}

/// The table as the same map, read back from PostgreSQL.
func readTable(_ client: PostgresClient, _ table: String) async throws -> [String: ExpectedRow] {
    let rows = try await client.query("""
        SELECT page, (extract(epoch FROM window_start) * 1000)::bigint AS start, views, total, top
        FROM \(try SQLIdentifier.quote(table))
        """)
    var result: [String: ExpectedRow] = [:]
    for index in 0..<rows.count {
        result["\(rows[index, "page"]!)@\(rows.int(index, "start")!)"] =
            ExpectedRow(views: rows.int(index, "views")!, total: rows.double(index, "total")!, top: rows.double(index, "top")!)
    }
    return result
}

/// `clicks → 1 s tumbling window per page → PostgreSQL` on its own loop, as one
/// process of the service would run it.
final class ClickWindowPipeline: @unchecked Sendable {
    static let table = try! WindowTable(name: "page_views", keyColumns: ["page"], aggregates: [
        AggregateColumn("views", .count), AggregateColumn("total", .sum), AggregateColumn("top", .max),
    ])

    let loop = KafkaLoop()
    let source: KafkaSource
    let client: PostgresClient
    let window: MaterializedWindow<KafkaRecord, String>
    let rejected = Locked<[RejectedRecord<KafkaRecord>]>([])

    /// With `output`, the rows go to that topic as `page,start,views,total,top` and
    /// PostgreSQL keeps only the checkpoints.
    init(bootstrap: String, databaseURL: String, topic: String, emit: TableEmitMode = .final, output: String? = nil,
         configure: (inout MaterializedWindowOptions) -> Void = { _ in }) throws {
        var configuration = KafkaSourceConfiguration(bootstrapServers: bootstrap, groupID: "page-views", topics: [topic])
        configuration.properties = fastGroup
        configuration.offsetStore = .external
        source = try KafkaSource(configuration, loop: loop)
        client = PostgresClient(url: databaseURL, backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(500)))
        var options = MaterializedWindowOptions(pipeline: "page_views", kind: .tumbling(.seconds(1)))
        options.maxOutOfOrder = .seconds(1)
        options.emit = emit
        options.checkpointInterval = .milliseconds(50)
        options.flushRows = 500
        if output != nil { options.output = .downstream }
        configure(&options)
        window = try source.materialize(into: Self.table, client: client, source: source, options: options,
                                        key: { record in Self.field(record, 0) },
                                        values: { record in SIMD4(Double(Self.field(record, 1)) ?? .nan, 0, 0, 0) })
        let rejected = self.rejected
        window.rejected.sink { record in rejected.withLock { $0.append(record) } }
        if let output {
            var sink = KafkaSinkConfiguration(bootstrapServers: bootstrap, topic: output)
            sink.properties = ["log_level": "3"]
            let table = Self.table
            _ = try window.sinkToKafka(sink) { row in
                let values = table.aggregates.map { row.value(of: $0) }
                return KafkaOutgoing(key: Array(row.key[0].utf8),
                                     value: Array("\(row.key[0]),\(row.window.start),\(Int64(values[0])),\(values[1]),\(values[2])".utf8))
            }
        }
    }

    private static func field(_ record: KafkaRecord, _ index: Int) -> String {
        let parts = (record.valueString ?? "").split(separator: ",", omittingEmptySubsequences: false)
        return index < parts.count ? String(parts[index]) : ""
    }

    func start() async throws {
        try await window.prepare()
        source.start()
    }

    func stop() async {
        await window.shutdown()
        client.close()
        _ = try? await offPool { [loop] in loop.shutdown() }
    }

    /// As `kill -9`: no last checkpoint. With `dropConnection` the database connection
    /// goes too, so a write in flight rolls back instead of finishing.
    func crash(dropConnection: Bool) async {
        await window.crash()
        if dropConnection { client.close() }
        _ = try? await offPool { [loop] in loop.shutdown() }
    }

    var consumed: Int { get async { await loop.perform { [source] in source.consumed } } }
    var checkpoints: Int { get async { await loop.perform { [window] in window.checkpoints } } }
}

/// The sum of the stored next offsets: how many records the checkpoints cover.
func storedOffsets(_ client: PostgresClient, pipeline: String) async throws -> Int64 {
    let rows = try await client.query("SELECT coalesce(sum(next_offset), 0)::bigint AS n FROM streamz_offsets WHERE pipeline = $1",
                                      [pipeline])
    return rows.int(0, "n") ?? 0
}

/// A migrated database of its own on the test server, and an embedded broker with
/// the clicks on it.
struct WindowFixture {
    let base: String
    let url: String
    let name: String
    let kafka: EmbeddedKafka

    static func make(clicks: [Click], topic: String = "clicks", partitions: Int = 4) async throws -> WindowFixture? {
        guard let base = serverURLForTests() else { return nil }
        let (url, name) = try await freshDatabase(base)
        let client = PostgresClient(url: url)
        try await Migrator(directory: MigratorTests.repositoryMigrations).migrate(client)
        client.close()
        let kafka = try EmbeddedKafka(topics: [(topic, partitions)])
        try await offPool { try produce(clicks, to: topic, bootstrap: kafka.bootstrapServers) }
        return WindowFixture(base: base, url: url, name: name, kafka: kafka)
    }

    func tearDown() async {
        _ = try? await offPool { [kafka] in kafka.shutdown() }
        await dropDatabase(base, name)
    }
}

/// A small deterministic generator, so a failing run can be repeated from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
