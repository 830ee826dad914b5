import Foundation
import Streamz
import Testing
@testable import StreamzKafka

/// The pipeline under injected broker faults, and with kcat as an independent client
/// on both ends.
extension KafkaIntegration {
@Suite struct KafkaFaultTests {
    @Test func kcatProducesTheInputAndReadsTheOutput() async throws {
        let broker = try EmbeddedKafka(topics: [("in", 3), ("out", 3)])
        defer { broker.shutdown() }
        let lines = (0..<500).map { "user\($0 % 13):click-\($0)" }
        try await Kcat.produce(broker.bootstrapServers, topic: "in", lines: lines)
        let pipeline = try Pipeline(bootstrap: broker.bootstrapServers, group: "kcat", from: "in", to: "out")
        try await waitUntil("500 deliveries") { await pipeline.loop.perform { pipeline.sink.delivered } == 500 }
        await pipeline.stop()
        let output = try await Kcat.consumeAll(broker.bootstrapServers, topic: "out")
        #expect(output.count == 500)
        #expect(Set(output) == Set(lines.map { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            return "\(parts[0]):\(parts[1].uppercased())"
        }), "keys kept, values transformed")
    }

    @Test func injectedErrorsAndABrokerOutageLoseNothing() async throws {
        let broker = try EmbeddedKafka(topics: [("in", 2), ("out", 2)])
        defer { broker.shutdown() }
        let first = (0..<300).map { (key: "k\($0)", value: "v\($0)") }
        try produce(first, to: "in", bootstrap: broker.bootstrapServers)
        try broker.injectErrors(api: .produce, error: .requestTimedOut, count: 5)
        try broker.injectErrors(api: .fetch, error: .notLeaderForPartition, count: 5)
        try broker.injectErrors(api: .offsetCommit, error: .requestTimedOut, count: 3)
        let pipeline = try Pipeline(bootstrap: broker.bootstrapServers, group: "faults", from: "in", to: "out") {
            $0.commitInterval = .milliseconds(200)
        }
        try await waitUntil("the first deliveries") { await pipeline.loop.perform { pipeline.sink.delivered } >= 100 }

        try broker.setBrokerDown(1)
        try await Task.sleep(for: .seconds(1))
        try broker.setBrokerUp(1)
        let second = (300..<600).map { (key: "k\($0)", value: "v\($0)") }
        try produce(second, to: "in", bootstrap: broker.bootstrapServers)

        let collector = try Collector(bootstrap: broker.bootstrapServers, topic: "out")
        let expected = Set((first + second).map { $0.value.uppercased() })
        try await waitUntil("every value in the output", timeout: .seconds(60)) {
            Set(collector.values.compactMap(\.valueString)).isSuperset(of: expected)
        }
        let duplicates = collector.values.count - expected.count
        print("faults: \(duplicates) duplicates in the output (at-least-once under retries)")
        await pipeline.stop()
        await collector.stop()
        #expect(pipeline.source.committed.values.reduce(0, +) == 600, "all committed once delivered")
    }

    @Test func aFullProducerQueueIsBackPressureNotLoss() async throws {
        let broker = try EmbeddedKafka(topics: [("in", 1), ("out", 1)])
        defer { broker.shutdown() }
        try produce((0..<500).map { (key: "k\($0)", value: "v\($0)") }, to: "in", bootstrap: broker.bootstrapServers)
        try broker.setBrokerRTT(1, milliseconds: 20)
        let loop = KafkaLoop()
        var configuration = KafkaSourceConfiguration(bootstrapServers: broker.bootstrapServers, groupID: "full", topics: ["in"])
        configuration.properties = fastConsumer
        let source = try KafkaSource(configuration, loop: loop)
        var sinkConfiguration = KafkaSinkConfiguration(bootstrapServers: broker.bootstrapServers, topic: "out")
        sinkConfiguration.properties = ["queue.buffering.max.messages": "10", "linger.ms": "0", "log_level": "3"]
        // With headers: a message refused by the full queue keeps its header list, which
        // must be freed once, not twice, before the retry builds a new one.
        let sink = try source.sinkToKafka(sinkConfiguration) { KafkaOutgoing(key: $0.key, value: $0.value, headers: $0.headers) }
        source.start()
        try await waitUntil("500 deliveries") { await loop.perform { sink.delivered } == 500 }
        let peak = await loop.perform { source.peakInFlightRecords }
        #expect(peak <= 12, "a queue of 10 plus the one that found it full: upstream waited instead")
        await source.shutdown()
        sink.close()
        loop.shutdown()

        let collector = try Collector(bootstrap: broker.bootstrapServers, topic: "out")
        try await waitUntil("the output") { collector.values.count >= 500 }
        await collector.stop()
        let written = collector.values.map { "\($0.keyString ?? "-") \($0.valueString ?? "-") \($0.headers.map(\.name))" }
        #expect(written == (0..<500).map { "k\($0) v\($0) [\"n\"]" }, "every record exactly as consumed, in order")
    }

    @Test func aFailedDeliveryStopsThePipelineWithoutCommittingPastIt() async throws {
        let broker = try EmbeddedKafka(topics: [("in", 1), ("out", 1)])
        defer { broker.shutdown() }
        try produce((0..<50).map { (key: "k\($0)", value: "v\($0)") }, to: "in", bootstrap: broker.bootstrapServers)
        try broker.injectErrors(api: .produce, error: .topicAuthorizationFailed, count: 1_000)

        let pipeline = try Pipeline(bootstrap: broker.bootstrapServers, group: "fatal", from: "in", to: "out")
        await pipeline.loop.perform {
            pipeline.sink.onFailure = { _ in pipeline.source.abort() }
        }
        try await waitUntil("the delivery failure") { await pipeline.loop.perform { pipeline.sink.failure != nil } }
        await pipeline.stop()
        let committed = pipeline.source.committed[TopicPartition("in", 0)] ?? 0
        #expect(committed == 0, "nothing was delivered, so nothing may be committed")

        // Once the fault is gone, the same group reads everything again: nothing lost.
        try broker.clearErrors(api: .produce)
        let retry = try Pipeline(bootstrap: broker.bootstrapServers, group: "fatal", from: "in", to: "out")
        try await waitUntil("all 50 on the second run") { await retry.loop.perform { retry.sink.delivered } == 50 }
        await retry.stop()
    }
}
}
