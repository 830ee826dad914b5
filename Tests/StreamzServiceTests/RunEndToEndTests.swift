import Foundation
import StreamzKafka
import StreamzPostgres
import StreamzService
import Testing

/// `streamz run` as a process, on the README's example config, against an embedded
/// broker and the real PostgreSQL; outputs checked record for record against a
/// recomputation that shares no code with the pipelines.
@Suite("streamz run, end to end", .serialized, .timeLimit(.minutes(5)))
struct RunEndToEndTests {
    @Test func exampleConfigProducesBothOutputsExactly() async throws {
        guard let fixture = try await ServiceFixture.make(exactExample: true) else { return }
        defer { fixture.tearDown() }
        let (broker, url, config, port) = (fixture.broker, fixture.url, fixture.config, fixture.port)

        let validated = try await runStreamz(["validate", "--config", config.path],
                                             environment: fixture.environment)
        #expect(validated.status == 0, "\(validated.output)")

        let service = try fixture.run()
        try await waitUntil("/readyz to answer ready") {
            guard service.process.isRunning else { throw TestSetupError("streamz exited: \(service.output)") }
            return (try? httpGet(port: port, path: "/readyz").status) == 200
        }
        let before = try MetricsText(httpGet(port: port, path: "/metrics").body)

        let feed = ClickFeed(count: 6_000, late: 12, seed: 7)
        try await BlockingCall.run { try feed.produce(to: broker.bootstrapServers) }
        let expectedEnriched = feed.expectedEnriched
        let expectedTotal = expectedEnriched.values.reduce(0, +)
        let client = PostgresClient(url: url)
        defer { client.close() }
        // The last minute's windows close on idle (close_on_idle: 30s).
        let expectedViews = feed.expectedRows.reduce(0) { $0 + $1.views }
        try await waitUntil("both outputs complete", timeout: .seconds(150)) {
            guard service.process.isRunning else { throw TestSetupError("streamz exited: \(service.output)") }
            let enriched = try await BlockingCall.run { try KafkaTopicReader.count(bootstrapServers: broker.bootstrapServers, topic: "clicks-enriched") }
            let views = try? await client.query("SELECT coalesce(sum(views), 0)::bigint AS n FROM page_views_per_minute").int(0, "n")
            return enriched >= Int64(expectedTotal) && (views ?? 0) >= expectedViews
        }
        // Published once a second: wait for the last counts to show.
        var after = try MetricsText(httpGet(port: port, path: "/metrics").body)
        try await waitUntil("the metrics to catch up", timeout: .seconds(10)) {
            after = try MetricsText(httpGet(port: port, path: "/metrics").body)
            return after.value("streamz_records_in_total", ["pipeline": "page_views"]) == Double(feed.clicks.count)
                && after.value("streamz_records_out_total", ["pipeline": "enrich"]) == Double(expectedTotal)
        }

        service.terminate()
        let status = await service.waitForExit(timeout: .seconds(10))
        #expect(status == 0, "\(service.output.suffix(3_000))")

        // The enriched topic, record for record.
        let enriched = try await BlockingCall.run { try KafkaTopicReader.readAll(bootstrapServers: broker.bootstrapServers, topic: "clicks-enriched") }
        var seen: [String: Int] = [:]
        for record in enriched {
            let value = try JSONParser.parse(record.value ?? [])
            seen["\(record.keyString ?? "") \(value.jsonText)", default: 0] += 1
        }
        #expect(seen == expectedEnriched, "enriched differs: \(seen.count) distinct vs \(expectedEnriched.count) expected")
        // Each with its input's headers (trace ids, a null-valued header, or none).
        var seenWithHeaders: [String: Int] = [:]
        for record in enriched {
            let value = try JSONParser.parse(record.value ?? [])
            seenWithHeaders["\(record.keyString ?? "") \(value.jsonText) \(ClickFeed.describe(record.headers))", default: 0] += 1
        }
        let expectedWithHeaders = feed.expectedEnrichedWithHeaders
        #expect(seenWithHeaders == expectedWithHeaders,
                "headers differ, e.g. \(seenWithHeaders.keys.filter { expectedWithHeaders[$0] == nil }.prefix(2))")

        // The table, row for row.
        let table = try await ClickFeed.Row.readTable(client)
        let expectedRows = feed.expectedRows
        #expect(table == expectedRows, "missing \(expectedRows.subtracting(table).prefix(3)), unexpected \(table.subtracting(expectedRows).prefix(3))")

        // The dead letters: original bytes, the reason, and where each came from.
        let letters = try await BlockingCall.run { try KafkaTopicReader.readAll(bootstrapServers: broker.bootstrapServers, topic: "clicks-dlq") }
        #expect(letters.count == feed.expectedDeadLetters)
        var reasons: [String: Int] = [:]
        for letter in letters {
            let header = { (name: String) in letter.headers.first { $0.name == name }.flatMap { $0.value.map { String(decoding: $0, as: UTF8.self) } } }
            guard let pipeline = header("streamz.pipeline"), let reason = header("streamz.error"),
                  let offset = header("streamz.source.offset").flatMap(Int.init), header("streamz.source.topic") == "clicks",
                  header("streamz.source.partition").flatMap(Int.init) != nil else {
                Issue.record("dead letter without its headers: \(letter.headers)")
                continue
            }
            let click = feed.clicks.first { Array($0.payload.utf8) == letter.value && Array($0.key.utf8) == letter.key }
            #expect(click != nil && click?.kind != .good, "dead letter \(pipeline) \(reason) at \(offset) is not a bad click")
            if let click { #expect(Array(letter.headers.prefix(click.headers.count)) == click.headers, "dead letter lost its input's headers") }
            reasons["\(pipeline): \(reason.prefix(while: { $0 != ":" }))", default: 0] += 1
        }
        let malformed = feed.clicks.filter { $0.kind == .malformed }.count
        let wrongType = feed.clicks.filter { $0.kind == .wrongType }.count
        #expect(reasons["enrich: decode"] == malformed)
        #expect(reasons["page_views: decode"] == malformed)
        #expect(reasons["enrich: filter"] == wrongType)
        #expect(reasons["page_views: window"] == wrongType)
        #expect(reasons["page_views: late"] == 12)

        // The metrics moved, and parse.
        #expect(before.value("streamz_records_in_total", ["pipeline": "enrich"]) ?? 0 == 0)
        #expect(after.value("streamz_records_in_total", ["pipeline": "enrich"]) == Double(feed.clicks.count))
        #expect(after.value("streamz_records_in_total", ["pipeline": "page_views"]) == Double(feed.clicks.count))
        #expect(after.value("streamz_records_out_total", ["pipeline": "enrich"]) == Double(expectedTotal))
        #expect(after.value("streamz_dead_letter_total", ["pipeline": "page_views"]) == Double(malformed + wrongType + 12))
        #expect(after.value("streamz_late_records_total", ["pipeline": "page_views"]) == 12)
        for family in ["streamz_consumer_lag", "streamz_in_flight_records", "streamz_committed_offset",
                       "streamz_sink_latency_seconds_bucket", "streamz_open_windows"] {
            #expect(after.has(family), "no \(family) in /metrics")
        }
    }
}
