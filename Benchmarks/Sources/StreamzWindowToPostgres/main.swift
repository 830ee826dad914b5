// End to end, Kafka → 1-minute tumbling window → PostgreSQL with StreamzPostgres'
// MaterializedWindow, beside baselines measured in the same run
// (scripts/bench-window-postgres.sh runs it).
//
//   StreamzWindowToPostgres BOOTSTRAP DATABASE_URL MODE ARGS... [key=value ...]
//
// Modes (BOOTSTRAP or DATABASE_URL may be "-" where a mode does not use it):
//   produce TOPIC COUNT
//       COUNT clicks (see Clicks.swift) through Stream.from(0..<COUNT).sinkToKafka on a
//       KafkaLoop, lz4, then reads them all back with a throwaway group and checks
//       that every one was retained (the mock broker keeps 5 MiB per partition): the
//       partitions' positions after reading everything (= high watermarks) sum to COUNT.
//   consume TOPIC GROUP COUNT [key=value ...]
//       The baseline: KafkaSource → sink {} (reads each record's key and number, as the
//       window's closures do). Timed from the first record to the COUNT-th.
//   window TOPIC GROUP COUNT PIPELINE TABLE [key=value ...]
//       KafkaSource (offsetStore .external) → materialize(into:) a 1-minute tumbling
//       window per page (views = count, total = sum, top = max of the number; grace 5 s,
//       maxOutOfOrder 1 s, final mode). Timed from the first record until every record
//       is covered by a committed checkpoint: the offsets the source was handed after
//       COMMIT (`committed`, i.e. streamz_offsets.next_offset) sum to COUNT. Also timed:
//       first to COUNT-th record into the window (`consumed_*`). Out of the span it
//       then closes every window, checkpoints, and checks the table: sum(views) = COUNT
//       and sum(next_offset) = COUNT.
//   upsert ROWS
//       Aggregate upserts through WindowTable.upsertSQL in batches of BATCH_ROWS
//       (10,000) rows, each batch its own transaction, the same keys every batch so
//       every batch after the first conflicts on every row (ON CONFLICT DO UPDATE);
//       the first batch is warm-up. Same table shape, data and timing as
//       Benchmarks/c/pq_batch.c's unnest case (median batch rate).
//
// The key=value properties go to the consumer unchanged. Every mode prints one JSON line
// on stdout; diagnostics go to stderr.
//
// Environment:
//   STREAMZ_MAX_IN_FLIGHT_RECORDS (1000000), STREAMZ_MAX_IN_FLIGHT_BYTES (256 MiB)
//   CHECKPOINT_MS (1000)   MaterializedWindowOptions.checkpointInterval
//   FLUSH_ROWS (10000)     MaterializedWindowOptions.flushRows
//   MIGRATIONS (migrations/ next to Benchmarks/)  applied before window and upsert
//   BATCH_ROWS (10000)     upsert batch size
//   PAGES (10000), STEP_US (300), DISORDER_MS (300)  the input (produce)
//   RUN_TIMEOUT (300)      seconds before a run gives up
import Foundation
import Streamz
import StreamzKafka
import StreamzPostgres

#if canImport(Glibc)
import Glibc
#endif

let timeout = Double(environment("RUN_TIMEOUT") ?? "") ?? 300
let maxRecords = environmentInt("STREAMZ_MAX_IN_FLIGHT_RECORDS", 1_000_000)
let maxBytes = environmentInt("STREAMZ_MAX_IN_FLIGHT_BYTES", 256 << 20)

func parseProperties(_ pairs: ArraySlice<String>) -> [String: String] {
    var properties: [String: String] = ["log_level": "3"]
    for pair in pairs {
        guard let equals = pair.firstIndex(of: "=") else { fail("not key=value: \(pair)") }
        properties[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
    }
    return properties
}

func migrationsDirectory() -> URL {
    if let path = environment("MIGRATIONS") { return URL(fileURLWithPath: path) }
    // <repo>/Benchmarks/Sources/StreamzWindowToPostgres/main.swift → <repo>/migrations
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("migrations")
}

/// Watchdog on the loop: missing records or a stall would otherwise hang the run.
func watchdog(_ loop: KafkaLoop, _ describe: @escaping () -> String) async -> ScheduledWork {
    await loop.perform {
        loop.schedule(after: .milliseconds(Int64(timeout * 1000))) {
            fail("timed out after \(timeout) s: \(describe())")
        }
    }
}

// MARK: - produce

final class Box<Value> {
    var value: Value
    init(_ value: Value) { self.value = value }
}

func produce(bootstrap: String, topic: String, count: Int) async throws {
    let spec = ClickSpec()
    let loop = KafkaLoop(name: "produce-loop")
    let source = Streamz.Stream<Int>.from(0..<count, clock: loop)
    var configuration = KafkaSinkConfiguration(bootstrapServers: bootstrap, topic: topic)
    configuration.properties = ["compression.codec": "lz4", "linger.ms": "20", "batch.num.messages": "10000",
                                "log_level": "3"]
    let generator = Box(SplitMix(seed: 20_240_601))
    let sink = try source.sinkToKafka(configuration) { index in makeClick(index, spec, &generator.value) }
    let start = Sample.now()
    source.start()
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        let (delivered, failure) = await loop.perform { (sink.delivered, sink.failure.map { "\($0)" }) }
        if let failure { fail("produce failed: \(failure)") }
        if delivered == count { break }
        if Date() > deadline { fail("produce: \(delivered) of \(count) delivered after \(timeout) s") }
        try await Task.sleep(for: .milliseconds(20))
    }
    let end = Sample.now()
    await loop.perform { sink.close() }
    loop.shutdown()
    log(String(format: "produced %d records in %.2f s (%.0f/s); reading them back to check retention",
               count, end.wall - start.wall, Double(count) / (end.wall - start.wall)))
    // Everything must still be there: read it all back and check the partitions' ends.
    let check = try await consume(bootstrap: bootstrap, topic: topic, group: "retention-check-\(getpid())",
                                  count: count, properties: ["log_level": "3", "fetch.wait.max.ms": "10"])
    printJSON([("msgs", count), ("seconds", end.wall - start.wall),
               ("msgs_per_s", Double(count) / (end.wall - start.wall)), ("retained", check.retained)])
}

// MARK: - consume (baseline)

/// Lives on the loop thread.
final class CountProbe {
    let count: Int
    var seen = 0
    var checksum = 0.0
    var first: Sample?
    var firstThreads = ThreadTimes()
    var end: Sample?
    var endThreads = ThreadTimes()
    var continuation: CheckedContinuation<Void, Never>?

    init(count: Int) { self.count = count }

    @inline(__always)
    func saw() {
        seen += 1
        if seen == 1 {
            first = Sample.now()
            firstThreads = ThreadTimes.now()
        }
        if seen == count {
            end = Sample.now()
            endThreads = ThreadTimes.now()
            continuation?.resume()
            continuation = nil
        }
    }
}

struct ConsumeResult {
    var seconds: Double
    var cpu: Double
    var retained: Int
}

func consume(bootstrap: String, topic: String, group: String, count: Int, properties: [String: String],
             report: Bool = false) async throws -> ConsumeResult {
    let loop = KafkaLoop(name: "consume-loop")
    var configuration = KafkaSourceConfiguration(bootstrapServers: bootstrap, groupID: group, topics: [topic])
    configuration.properties = properties
    configuration.maxInFlightRecords = maxRecords
    configuration.maxInFlightBytes = maxBytes
    let source = try KafkaSource(configuration, loop: loop)
    let probe = CountProbe(count: count)
    // What the window's closures read, so the baseline pays for the same decoding.
    source.sink { record in
        probe.checksum += clickNumber(record) + Double(pageKey(record).utf8.count)
        probe.saw()
    }
    let dog = await watchdog(loop) { "consumed \(probe.seen) of \(count)" }
    await withCheckedContinuation { continuation in
        loop.execute {
            probe.continuation = continuation
            source.start()
        }
    }
    dog.cancel()
    // Anything past COUNT would be a second copy: give it a moment to show up.
    try await Task.sleep(for: .milliseconds(300))
    let (seen, positions) = await (loop.perform { probe.seen }, source.positions())
    let retained = Int(positions.values.reduce(0, +))
    guard seen == count, retained == count else {
        fail("consume: read \(seen) records; the partitions end at offsets summing to \(retained), expected \(count)"
            + " (records dropped by the mock's retention, or a topic with other data)")
    }
    let (first, end, firstThreads, endThreads) = await loop.perform {
        (probe.first!, probe.end!, probe.firstThreads, probe.endThreads)
    }
    if report {
        let peak = await loop.perform { source.peakInFlightRecords }
        log("consume: \(positions.count) partitions, peak in flight \(peak) records")
        log("consume: CPU-s per 1M by thread: " + ThreadTimes.report(from: firstThreads, to: endThreads, count: count))
    }
    await source.shutdown(timeout: .seconds(10))
    loop.shutdown()
    return ConsumeResult(seconds: end.wall - first.wall, cpu: end.cpu - first.cpu, retained: retained)
}

// MARK: - window

/// Lives on the loop thread.
final class WindowProbe {
    let count: Int
    var seen = 0
    var rejected = 0
    var first: Sample?
    var firstThreads = ThreadTimes()
    var firstServer: Double?
    var consumedEnd: Sample?
    var coveredEnd: Sample?
    var endThreads = ThreadTimes()
    var endServer: Double?
    var backend = 0
    var onCount: (() -> Void)?

    init(count: Int) { self.count = count }

    @inline(__always)
    func saw() {
        seen += 1
        if seen == 1 {
            first = Sample.now()
            firstThreads = ThreadTimes.now()
            firstServer = processCPU(backend)
        }
        if seen == count {
            consumedEnd = Sample.now()
            onCount?()
        }
    }
}

func window(bootstrap: String, url: String, topic: String, group: String, count: Int, pipeline: String,
            tableName: String, properties: [String: String]) async throws {
    let client = PostgresClient(url: url)
    try await Migrator(directory: migrationsDirectory()).migrate(client)

    let loop = KafkaLoop(name: "window-loop")
    var configuration = KafkaSourceConfiguration(bootstrapServers: bootstrap, groupID: group, topics: [topic])
    configuration.properties = properties
    configuration.maxInFlightRecords = maxRecords
    configuration.maxInFlightBytes = maxBytes
    configuration.offsetStore = .external
    let source = try KafkaSource(configuration, loop: loop)

    let table = try WindowTable(name: tableName, keyColumns: ["page"], aggregates: [
        AggregateColumn("views", .count), AggregateColumn("total", .sum), AggregateColumn("top", .max),
    ])
    var options = MaterializedWindowOptions(pipeline: pipeline, kind: .tumbling(.seconds(60)))
    options.grace = .seconds(5)
    options.maxOutOfOrder = .seconds(1)
    options.emit = .final
    options.checkpointInterval = .milliseconds(Int64(environmentInt("CHECKPOINT_MS", 1000)))
    options.flushRows = environmentInt("FLUSH_ROWS", options.flushRows)

    let probe = WindowProbe(count: count)
    let window = try source.materialize(into: table, client: client, source: source, options: options,
                                        key: { record in
                                            probe.saw()
                                            return pageKey(record)
                                        },
                                        values: { record in SIMD4(clickNumber(record), 0, 0, 0) })
    window.rejected.sink { _ in probe.rejected += 1 }
    try await window.prepare()
    // The client keeps one connection: the checkpoints' backend.
    let backend = Int(try await client.query("SELECT pg_backend_pid() AS pid").int(0, "pid") ?? 0)

    let dog = await watchdog(loop) {
        "window: \(probe.seen) of \(count) records reached the window; checkpoints \(window.checkpoints),"
            + " covered \(source.committed.values.reduce(0, +))"
    }
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        loop.execute {
            probe.backend = backend
            probe.onCount = { continuation.resume() }
            source.start()
        }
    }
    // Then every millisecond, from outside the loop, look for the checkpoint that covers
    // the COUNT-th record: the offsets handed to the source after its COMMIT. (Not a 1 ms
    // timer on the loop: KafkaLoop rounds a wait under 1 ms down to a zero-timeout poll,
    // so the loop would spin through the tail, on the cores PostgreSQL needs.)
    while true {
        let covered = await loop.perform { () -> Bool in
            guard source.committed.values.reduce(0, +) >= Int64(count) else { return false }
            probe.coveredEnd = Sample.now()
            probe.endThreads = ThreadTimes.now()
            probe.endServer = processCPU(backend)
            return true
        }
        if covered { break }
        try await Task.sleep(for: .milliseconds(1))
    }
    dog.cancel()

    let (first, consumedEnd, end, firstThreads, endThreads, firstServer, endServer) = await loop.perform {
        (probe.first!, probe.consumedEnd!, probe.coveredEnd!, probe.firstThreads, probe.endThreads,
         probe.firstServer, probe.endServer)
    }
    let (checkpoints, rowsWritten, rejected, openWindows, peak) = await loop.perform {
        (window.checkpoints, window.rowsWritten, probe.rejected, window.openWindows, source.peakInFlightRecords)
    }
    let seconds = end.wall - first.wall
    let consumedSeconds = consumedEnd.wall - first.wall
    let server = (firstServer != nil && endServer != nil) ? (endServer! - firstServer!) * 1_000_000 / Double(count) : -1

    log("window: \(checkpoints) checkpoints, \(rowsWritten) rows written, \(openWindows) (key, window) pairs open"
        + " at the end, \(rejected) rejected, peak in flight \(peak) records")
    log("window: CPU-s per 1M by thread: " + ThreadTimes.report(from: firstThreads, to: endThreads, count: count)
        + String(format: "; PostgreSQL backend %.2f", server))

    // Out of the span: close the last windows and check the table against the input.
    await window.closeAllAndCheckpoint()
    let totals = try await client.query(
        "SELECT count(*)::bigint AS n, coalesce(sum(views), 0)::bigint AS views FROM \(try SQLIdentifier.quote(tableName))")
    let stored = try await client.query(
        "SELECT coalesce(sum(next_offset), 0)::bigint AS n FROM streamz_offsets WHERE pipeline = $1", [pipeline])
    let views = totals.int(0, "views") ?? -1, offsets = stored.int(0, "n") ?? -1
    guard views == Int64(count), offsets == Int64(count), rejected == 0 else {
        fail("window: the table holds \(views) views and the offsets sum to \(offsets), expected \(count);"
            + " \(rejected) rejected")
    }
    log("window: after closing every window: \(totals.int(0, "n") ?? -1) rows, sum(views) = \(views), sum(next_offset) = \(offsets)")
    await window.shutdown(timeout: .seconds(10))
    client.close()
    loop.shutdown()

    printJSON([("msgs", count), ("seconds", seconds), ("msgs_per_s", Double(count) / seconds),
               ("cpu_s_per_million", (end.cpu - first.cpu) * 1_000_000 / Double(count)),
               ("server_cpu_s_per_million", server),
               ("consumed_seconds", consumedSeconds), ("consumed_msgs_per_s", Double(count) / consumedSeconds),
               ("consumed_cpu_s_per_million", (consumedEnd.cpu - first.cpu) * 1_000_000 / Double(count)),
               ("rows", rowsWritten), ("checkpoints", checkpoints)])
}

// MARK: - upsert

/// WindowTable.upsertParameters, restated: it takes `[WindowRow]`, and WindowRow has
/// no public initialiser, so code outside StreamzPostgres cannot make one. This is the
/// same loop over PostgresArray (the public type it uses), for the table's columns
/// (count, sum, max: lanes 0).
func upsertParameters(keys: [String], start: Int64, end: Int64, views: [Int64], totals: [Double],
                      tops: [Double]) -> [any PostgresBindable] {
    var keyArray = PostgresArray(), starts = PostgresArray(), ends = PostgresArray(), counts = PostgresArray()
    var sums = PostgresArray(), maxima = PostgresArray()
    for index in keys.indices {
        keyArray.append(text: keys[index])
        starts.append(start)
        ends.append(end)
        counts.append(views[index])
        sums.append(totals[index])
        maxima.append(tops[index])
    }
    return [keyArray, starts, ends, counts, sums, maxima]
}

func upsert(url: String, rows: Int) async throws {
    let batchRows = environmentInt("BATCH_ROWS", 10_000)
    let batches = max(2, rows / batchRows)
    let client = PostgresClient(url: url)
    try await Migrator(directory: migrationsDirectory()).migrate(client)
    let table = try WindowTable(name: "bench_upsert", keyColumns: ["page"], aggregates: [
        AggregateColumn("views", .count), AggregateColumn("total", .sum), AggregateColumn("top", .max),
    ])
    try await client.transaction { transaction in
        try await transaction.execute("DROP TABLE IF EXISTS bench_upsert")
        try await transaction.execute(table.createSQL)
    }
    let backend = Int(try await client.query("SELECT pg_backend_pid() AS pid").int(0, "pid") ?? 0)
    let sql = table.upsertSQL
    // pq_batch.c's data: the same keys in every batch, one window, new values.
    let keys = (0..<batchRows).map { "page-\($0)" }
    let views = (0..<batchRows).map { Int64(1 + $0 % 7) }
    let start: Int64 = 1_700_000_000_000, end = start + 60_000

    var rates: [Double] = [], builds: [Double] = []
    var clientCPU = 0.0
    var serverStart: Double?
    for batch in 0..<batches {
        let totals = views.map { Double($0) * 0.25 + Double(batch) }
        let tops = (0..<batchRows).map { Double(($0 * 37 + batch * 11) % 1000) + 0.5 }
        let before = Sample.now()
        let parameters = upsertParameters(keys: keys, start: start, end: end, views: views, totals: totals, tops: tops)
        let built = Sample.now()
        _ = try await client.transaction { transaction in
            try await transaction.query(sql, parameters)
        }
        let after = Sample.now()
        if batch == 0 {  // warm-up
            serverStart = processCPU(backend)
            continue
        }
        rates.append(Double(batchRows) / (after.wall - before.wall))
        builds.append((built.wall - before.wall) * 1000)
        clientCPU += after.cpu - before.cpu
    }
    let serverEnd = processCPU(backend)
    let measured = Double(batchRows * (batches - 1))
    let server = serverStart.flatMap { s in serverEnd.map { ($0 - s) * 1_000_000 / measured } } ?? -1

    let check = try await client.query("SELECT count(*)::bigint AS n, sum(views)::bigint AS views FROM bench_upsert")
    let expected = views.reduce(0, +) * Int64(batches)
    guard check.int(0, "n") == Int64(batchRows), check.int(0, "views") == expected else {
        fail("upsert: bench_upsert has \(check.int(0, "n") ?? -1) rows and \(check.int(0, "views") ?? -1) views,"
            + " expected \(batchRows) and \(expected)")
    }
    client.close()
    log(String(format: "upsert: %d batches of %d rows (first warm-up); median build %.2f ms/batch",
               batches, batchRows, median(builds)))
    printJSON([("rows", batchRows * (batches - 1)), ("batch_rows", batchRows), ("rows_per_s", median(rates)),
               ("cpu_s_per_million", clientCPU * 1_000_000 / measured), ("server_cpu_s_per_million", server),
               ("build_ms", median(builds))])
}

// MARK: - main

func run() async throws {
    let arguments = CommandLine.arguments
    let usage = """
        usage: StreamzWindowToPostgres BOOTSTRAP DATABASE_URL MODE ...
          produce TOPIC COUNT
          consume TOPIC GROUP COUNT [key=value ...]
          window TOPIC GROUP COUNT PIPELINE TABLE [key=value ...]
          upsert ROWS
        """
    guard arguments.count >= 4 else { fail(usage) }
    let (bootstrap, url, mode) = (arguments[1], arguments[2], arguments[3])
    let rest = Array(arguments.dropFirst(4))
    switch mode {
    case "produce":
        guard rest.count == 2, let count = Int(rest[1]), count > 0 else { fail(usage) }
        try await produce(bootstrap: bootstrap, topic: rest[0], count: count)
    case "consume":
        guard rest.count >= 3, let count = Int(rest[2]), count > 0 else { fail(usage) }
        let result = try await consume(bootstrap: bootstrap, topic: rest[0], group: rest[1], count: count,
                                       properties: parseProperties(rest.dropFirst(3)), report: true)
        printJSON([("msgs", count), ("seconds", result.seconds), ("msgs_per_s", Double(count) / result.seconds),
                   ("cpu_s_per_million", result.cpu * 1_000_000 / Double(count))])
    case "window":
        guard rest.count >= 5, let count = Int(rest[2]), count > 0 else { fail(usage) }
        try await window(bootstrap: bootstrap, url: url, topic: rest[0], group: rest[1], count: count,
                         pipeline: rest[3], tableName: rest[4], properties: parseProperties(rest.dropFirst(5)))
    case "upsert":
        guard rest.count == 1, let rows = Int(rest[0]), rows > 0 else { fail(usage) }
        try await upsert(url: url, rows: rows)
    default:
        fail(usage)
    }
}

do {
    try await run()
} catch {
    fail("\(error)")
}
