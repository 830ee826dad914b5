import Foundation
import StreamzKafka
import StreamzPostgres
import StreamzService
import Testing

/// SIGTERM in the middle of a load: the process drains, commits and exits within
/// 10 s, and the next run takes over where it stopped, losing nothing.
@Suite("streamz run, SIGTERM", .serialized, .timeLimit(.minutes(5)))
struct ShutdownTests {
    @Test func sigtermUnderLoadExitsIn10SecondsAndARestartLosesNothing() async throws {
        guard let fixture = try await ServiceFixture.make(edits: [("close_on_idle: 30s", "close_on_idle: 3s")]) else { return }
        defer { fixture.tearDown() }
        let (broker, url, port) = (fixture.broker, fixture.url, fixture.port)

        let feed = ClickFeed(count: 60_000, seed: 11)
        let producing = Task { try await BlockingCall.run { try feed.produce(to: broker.bootstrapServers) } }
        let first = try fixture.run()
        try await waitUntil("the first run to be busy") {
            guard first.process.isRunning else { throw TestSetupError("streamz exited: \(first.output)") }
            let metrics = try? MetricsText(httpGet(port: port, path: "/metrics").body)
            return (metrics?.value("streamz_records_in_total", ["pipeline": "enrich"]) ?? 0) >= 5_000
        }
        let stopped = ContinuousClock.now
        first.terminate()
        let status = await first.waitForExit(timeout: .seconds(12))
        let took = ContinuousClock.now - stopped
        #expect(status == 0, "\(first.output.suffix(3_000))")
        #expect(took < .seconds(10), "SIGTERM took \(took)")
        #expect(first.output.contains("stopped:"), "\(first.output.suffix(2_000))")
        try await producing.value

        let second = try fixture.run()
        let client = PostgresClient(url: url)
        defer { client.close() }
        let expectedEnriched = feed.expectedEnriched
        let expectedTotal = expectedEnriched.values.reduce(0, +)
        let expectedRows = feed.expectedRows
        let expectedViews = expectedRows.reduce(0) { $0 + $1.views }
        try await waitUntil("the second run to finish the input", timeout: .seconds(180)) {
            guard second.process.isRunning else { throw TestSetupError("streamz exited: \(second.output)") }
            let enriched = try await BlockingCall.run { try KafkaTopicReader.count(bootstrapServers: broker.bootstrapServers, topic: "clicks-enriched") }
            let views = try? await client.query("SELECT coalesce(sum(views), 0)::bigint AS n FROM page_views_per_minute").int(0, "n")
            return enriched >= Int64(expectedTotal) && (views ?? 0) >= expectedViews
        }
        second.terminate()
        #expect(await second.waitForExit(timeout: .seconds(12)) == 0)

        // Every enriched record is there; a clean stop leaves no duplicates either.
        let enriched = try await BlockingCall.run { try KafkaTopicReader.readAll(bootstrapServers: broker.bootstrapServers, topic: "clicks-enriched") }
        var seen: [String: Int] = [:]
        for record in enriched {
            seen["\(record.keyString ?? "") \(try JSONParser.parse(record.value ?? []).jsonText)", default: 0] += 1
        }
        let missing = expectedEnriched.filter { seen[$0.key, default: 0] < $0.value }.count
        let duplicated = seen.filter { $0.value > expectedEnriched[$0.key, default: 0] }.count
        #expect(missing == 0 && duplicated == 0, "\(missing) missing, \(duplicated) duplicated of \(expectedTotal)")

        let table = try await ClickFeed.Row.readTable(client)
        #expect(table == expectedRows, "missing \(expectedRows.subtracting(table).prefix(3)), unexpected \(table.subtracting(expectedRows).prefix(3))")
    }
}
