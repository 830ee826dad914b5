import Foundation
import Streamz
import Testing
@testable import StreamzKafka

extension KafkaIntegration {
@Suite struct KafkaRoundTripTests {
    @Test func roundTripCommitsEverythingOnceDelivered() async throws {
        let broker = try EmbeddedKafka(topics: [("in", 4), ("out", 4)])
        defer { broker.shutdown() }
        let messages = (0..<1_000).map { (key: "k\($0 % 17)", value: "click \($0)") }
        try produce(messages, to: "in", bootstrap: broker.bootstrapServers)

        let pipeline = try Pipeline(bootstrap: broker.bootstrapServers, group: "enrich", from: "in", to: "out")
        try await waitUntil("the pipeline to deliver 1000 records") {
            await pipeline.loop.perform { pipeline.sink.delivered } == 1_000
        }
        try await waitUntil("lag to reach zero") { await pipeline.source.lag().values.allSatisfy { $0 == 0 } }
        let lag = await pipeline.source.lag()
        #expect(lag.count == 4)
        let positions = await pipeline.source.positions()
        #expect(positions.values.reduce(0, +) == 1_000, "positions are one past the last record of each partition")
        try await waitUntil("the periodic commit") {
            (try? await pipeline.source.committedOffsets().values.reduce(0, +)) == 1_000
        }
        await pipeline.stop()
        let committed = pipeline.source.committed.values.reduce(0, +)
        #expect(committed == 1_000, "commits reach the end of every partition once all is delivered")

        let collector = try Collector(bootstrap: broker.bootstrapServers, topic: "out")
        try await waitUntil("the output") { collector.values.count >= 1_000 }
        await collector.stop()
        let values = Set(collector.values.compactMap(\.valueString))
        #expect(values == Set(messages.map { $0.value.uppercased() }))
        let record = try #require(collector.values.first)
        #expect(record.headers.first?.name == "n", "headers pass through")
        // Headers are parsed lazily (read inside the pipeline's emit, parsed before the
        // message goes when the collector keeps the record): each record must still
        // carry its own, "n" = its index (and its key, "k" + index % 17).
        let mismatched = collector.values.count { record in
            let index = record.valueString?.split(separator: " ").last.map(String.init)
            return record.headers.count != 1 || record.headers.first.flatMap { $0.value.map { String(decoding: $0, as: UTF8.self) } } != index
                || record.keyString != index.flatMap(Int.init).map { "k\($0 % 17)" }
        }
        #expect(mismatched == 0, "records carrying another record's key or headers, or none")
        #expect(record.timestamp > 0 && record.timestampType == .createTime)
    }

    @Test func aSecondRunStartsFromTheCommittedOffsets() async throws {
        let broker = try EmbeddedKafka(topics: [("in", 2), ("out", 2)])
        defer { broker.shutdown() }
        try produce((0..<100).map { (key: "k\($0)", value: "a\($0)") }, to: "in", bootstrap: broker.bootstrapServers)
        let first = try Pipeline(bootstrap: broker.bootstrapServers, group: "g", from: "in", to: "out")
        try await waitUntil("first run") { await first.loop.perform { first.sink.delivered } == 100 }
        await first.stop()

        try produce((100..<150).map { (key: "k\($0)", value: "a\($0)") }, to: "in", bootstrap: broker.bootstrapServers)
        let second = try Pipeline(bootstrap: broker.bootstrapServers, group: "g", from: "in", to: "out")
        try await waitUntil("second run") { await second.loop.perform { second.sink.delivered } == 50 }
        try await Task.sleep(for: .milliseconds(300))
        let delivered = await second.loop.perform { second.sink.delivered }
        #expect(delivered == 50, "only the records after the commit are read again")
        await second.stop()
    }

    @Test func startOffsetsReplaceTheCommittedOnesOnAssignment() async throws {
        let broker = try EmbeddedKafka(topics: [("in", 1)])
        defer { broker.shutdown() }
        try produce((0..<100).map { (key: "k", value: "v\($0)") }, to: "in", bootstrap: broker.bootstrapServers)
        let loop = KafkaLoop()
        var configuration = KafkaSourceConfiguration(bootstrapServers: broker.bootstrapServers, groupID: "restore", topics: ["in"])
        configuration.properties = fastConsumer
        let source = try KafkaSource(configuration, loop: loop)
        source.startOffsets = { partitions in
            Dictionary(uniqueKeysWithValues: partitions.map { ($0, Int64(60)) })
        }
        let offsets = Locked<[Int64]>([])
        source.sink { record in offsets.withLock { $0.append(record.offset) } }
        source.start()
        try await waitUntil("the restored tail") { offsets.withLock { $0.count } == 40 }
        #expect(offsets.withLock { $0 } == Array(60..<100))
        await source.shutdown()
        loop.shutdown()
    }

    @Test func badConfigurationIsAClearError() throws {
        let loop = KafkaLoop()
        defer { loop.shutdown() }
        var configuration = KafkaSourceConfiguration(bootstrapServers: "127.0.0.1:1", groupID: "g", topics: ["t"])
        configuration.properties = ["no.such.property": "1"]
        #expect(throws: KafkaConfigError.self) { _ = try KafkaSource(configuration, loop: loop) }
        configuration.properties = ["session.timeout.ms": "not a number"]
        do {
            _ = try KafkaSource(configuration, loop: loop)
            Issue.record("a bad value must throw")
        } catch let error as KafkaConfigError {
            #expect(error.property == "session.timeout.ms")
        }
    }
}
}
