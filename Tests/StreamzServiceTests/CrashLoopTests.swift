import Foundation
import StreamzKafka
import StreamzPostgres
import StreamzService
import Testing

/// The short crash loop: `streamz run` killed with SIGKILL at random moments while it
/// works through the input, and restarted each time. The table must come out exact (0
/// lost, 0 double-counted), the enriched topic must hold every expected record
/// (duplicates are allowed, at least once, and reported), and every bad click must be
/// a dead letter.
@Suite("streamz run, kill -9 loop", .serialized, .timeLimit(.minutes(6)))
struct CrashLoopTests {
    @Test func threeKillsOver50kRecordsLoseNothingAndCountNothingTwice() async throws {
        // A killed member holds its partitions until its session times out: a short
        // session keeps the restarts quick.
        guard let fixture = try await ServiceFixture.make(edits: [
            ("close_on_idle: 30s", "close_on_idle: 3s"),
            ("properties: {}", "properties: {session.timeout.ms: \"6000\", heartbeat.interval.ms: \"500\"}"),
        ]) else { return }
        defer { fixture.tearDown() }
        let (broker, url, port) = (fixture.broker, fixture.url, fixture.port)

        let seed = UInt64.random(in: 1...UInt64(UInt32.max))
        print("crash loop: seed \(seed)")
        var random = SystemRandomNumberGenerator()
        let feed = ClickFeed(count: 50_000, seed: seed)
        try await BlockingCall.run { try feed.produce(to: broker.bootstrapServers) }
        for kill in 0..<3 {
            let service = try fixture.run()
            // Ready means both pipelines hold partitions: from there, kill at a random
            // moment of the work.
            try await waitUntil("incarnation \(kill) to be ready") {
                guard service.process.isRunning else { throw TestSetupError("streamz exited: \(service.output.suffix(2_000))") }
                return (try? httpGet(port: port, path: "/readyz").status) == 200
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 200...2_500, using: &random)))
            service.kill()
            _ = await service.waitForExit(timeout: .seconds(5))
        }

        let last = try fixture.run()
        let client = PostgresClient(url: url)
        defer { client.close() }
        let expectedEnriched = feed.expectedEnriched
        let expectedRows = feed.expectedRows
        let expectedViews = expectedRows.reduce(0) { $0 + $1.views }
        var seen: [String: Int] = [:]
        try await waitUntil("the last run to finish", timeout: .seconds(240)) {
            guard last.process.isRunning else { throw TestSetupError("streamz exited: \(last.output.suffix(2_000))") }
            let views = try? await client.query("SELECT coalesce(sum(views), 0)::bigint AS n FROM page_views_per_minute").int(0, "n")
            guard (views ?? 0) >= expectedViews else { return false }
            let records = try await BlockingCall.run { try KafkaTopicReader.readAll(bootstrapServers: broker.bootstrapServers, topic: "clicks-enriched") }
            seen = [:]
            for record in records { seen["\(record.keyString ?? "") \(try JSONParser.parse(record.value ?? []).jsonText)", default: 0] += 1 }
            return expectedEnriched.allSatisfy { seen[$0.key, default: 0] >= $0.value }
        }
        last.terminate()
        #expect(await last.waitForExit(timeout: .seconds(10)) == 0)

        let duplicates = seen.reduce(0) { $0 + max(0, $1.value - expectedEnriched[$1.key, default: 0]) }
        let unexpected = seen.keys.filter { expectedEnriched[$0] == nil }.count
        print("crash loop: enriched \(expectedEnriched.values.reduce(0, +)) expected, \(duplicates) duplicates after 3 kills")
        #expect(unexpected == 0)
        let table = try await ClickFeed.Row.readTable(client)
        #expect(table == expectedRows, "seed \(seed): missing \(expectedRows.subtracting(table).prefix(3)), unexpected \(table.subtracting(expectedRows).prefix(3))")

        let letters = try await BlockingCall.run { try KafkaTopicReader.readAll(bootstrapServers: broker.bootstrapServers, topic: "clicks-dlq") }
        let lettered = Set(letters.compactMap { letter -> String? in
            guard let pipeline = letter.headers.first(where: { $0.name == "streamz.pipeline" })?.value else { return nil }
            return "\(String(decoding: pipeline, as: UTF8.self)) \(letter.valueString ?? "")"
        })
        for click in feed.clicks where click.kind != .good {
            #expect(lettered.contains("enrich \(click.payload)") && lettered.contains("page_views \(click.payload)"),
                    "bad click \(click.index) is not a dead letter of both pipelines")
        }
    }
}
