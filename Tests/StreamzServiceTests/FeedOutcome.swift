import Foundation
import StreamzKafka
import StreamzPostgres
import StreamzService
import Testing

/// The black-box check every run of the example config over a `ClickFeed` ends with:
/// wait until the outputs hold everything the feed implies, stop the service, then
/// compare them with the recomputation. The table must be exact (0 lost, 0 counted
/// twice); the enriched topic must hold every expected record (at least once: the
/// duplicates are counted and returned); every bad click must be a dead letter of each
/// pipeline that cannot take it.
enum FeedOutcome {
    struct Report {
        var enriched: Int
        var duplicates: Int
        var deadLetters: Int
    }

    static func verify(_ feed: ClickFeed, fixture: ServiceFixture, service: StreamzProcess, label: String,
                       timeout: Duration = .seconds(240)) async throws -> Report {
        let (broker, url) = (fixture.broker, fixture.url)
        let client = PostgresClient(url: url)
        defer { client.close() }
        let expectedEnriched = feed.expectedEnriched
        let expectedRows = feed.expectedRows
        let expectedViews = expectedRows.reduce(0) { $0 + $1.views }
        var seen: [String: Int] = [:]
        try await waitUntil("\(label): every output", timeout: timeout) {
            guard service.process.isRunning else { throw TestSetupError("streamz exited: \(service.output.suffix(2_000))") }
            let views = try? await client.query("SELECT coalesce(sum(views), 0)::bigint AS n FROM page_views_per_minute").int(0, "n")
            guard (views ?? 0) >= expectedViews else { return false }
            let records = try await BlockingCall.run { try KafkaTopicReader.readAll(bootstrapServers: broker.bootstrapServers, topic: "clicks-enriched") }
            try checkNothingEvicted(records, topic: "clicks-enriched")
            seen = [:]
            for record in records { seen["\(record.keyString ?? "") \(try JSONParser.parse(record.value ?? []).jsonText)", default: 0] += 1 }
            return expectedEnriched.allSatisfy { seen[$0.key, default: 0] >= $0.value }
        }
        service.terminate()
        #expect(await service.waitForExit(timeout: .seconds(10)) == 0, "\(label): \(service.output.suffix(2_000))")

        let expectedCount = expectedEnriched.values.reduce(0, +)
        let duplicates = seen.reduce(0) { $0 + max(0, $1.value - expectedEnriched[$1.key, default: 0]) }
        let unexpected = seen.keys.filter { expectedEnriched[$0] == nil }
        #expect(unexpected.isEmpty, "\(label): records nobody sent in clicks-enriched: \(unexpected.prefix(3))")
        let table = try await ClickFeed.Row.readTable(client)
        #expect(table == expectedRows,
                "\(label): errors \(errors(service)); missing \(expectedRows.subtracting(table).prefix(3)), unexpected \(table.subtracting(expectedRows).prefix(3))")

        let letters = try await BlockingCall.run { try KafkaTopicReader.readAll(bootstrapServers: broker.bootstrapServers, topic: "clicks-dlq") }
        try checkNothingEvicted(letters, topic: "clicks-dlq")
        let lettered = Set(letters.compactMap { letter -> String? in
            guard let pipeline = letter.headers.first(where: { $0.name == "streamz.pipeline" })?.value else { return nil }
            return "\(String(decoding: pipeline, as: UTF8.self)) \(letter.valueString ?? "")"
        })
        var missing: [String] = []
        for click in feed.clicks where click.kind != .good {
            let pipelines = click.kind == .late ? ["page_views"] : ["enrich", "page_views"]
            for pipeline in pipelines where !lettered.contains("\(pipeline) \(click.payload)") {
                missing.append("\(pipeline): click \(click.index) (\(click.kind))")
            }
        }
        #expect(missing.isEmpty, "\(label): \(missing.count) bad clicks are not dead letters, e.g. \(missing.prefix(3)); the service's errors: \(errors(service))")
        return Report(enriched: expectedCount, duplicates: duplicates, deadLetters: letters.count)
    }

    /// librdkafka's mock cluster keeps at most 5 MB (or 100,000 batches) per partition
    /// and drops the oldest batches past that: a topic read from the start that does not
    /// start at offset 0 lost records to the broker, not to the service. That is a test
    /// sized beyond its broker, said at once rather than as a timeout on missing records.
    private static func checkNothingEvicted(_ records: [KafkaRecord], topic: String) throws {
        var first: [Int32: Int64] = [:]
        for record in records where first[record.partition] == nil { first[record.partition] = record.offset }
        if let (partition, offset) = first.first(where: { $0.value > 0 }) {
            throw TestSetupError("the embedded broker dropped the start of \(topic) [\(partition)] (it begins at offset "
                                 + "\(offset)): more partitions or fewer records, the mock cluster keeps 5 MB per partition")
        }
    }

    /// The service's error lines, less the broker connection noise, for a failure message.
    private static func errors(_ service: StreamzProcess) -> String {
        service.output.split(separator: "\n").filter { $0.contains(" error ") && !$0.contains("Connect to") }.suffix(20).joined(separator: "\n")
    }
}
