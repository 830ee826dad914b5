import Testing
@testable import StreamzKafka

extension KafkaIntegration {
    /// The README's Kafka example, as written there, with input produced and the
    /// delivery awaited around it.
    @Suite struct ReadmeKafkaExampleTests {
        @Test func readmeKafkaExampleRuns() async throws {
            let broker = try EmbeddedKafka(topics: [("clicks", 4), ("clicks-enriched", 4)])  // or a real cluster
            defer { broker.shutdown() }
            try produce((0..<50).map { (key: "u\($0)", value: "click \($0)") }, to: "clicks", bootstrap: broker.bootstrapServers)

            let loop = KafkaLoop()            // the pipeline's executor: one thread that also polls Kafka
            var input = KafkaSourceConfiguration(bootstrapServers: broker.bootstrapServers,
                                                 groupID: "enrich", topics: ["clicks"])
            input.properties = ["session.timeout.ms": "10000"]     // any librdkafka property passes through
            let clicks = try KafkaSource(input, loop: loop)
            let output = try clicks
                .filter { ($0.value?.count ?? 0) > 0 }
                .sinkToKafka(KafkaSinkConfiguration(bootstrapServers: broker.bootstrapServers, topic: "clicks-enriched")) {
                    KafkaOutgoing(key: $0.key, value: $0.value, headers: $0.headers)
                }
            output.onFailure = { _ in clicks.abort() }   // a delivery that fails for good stops the pipeline
            clicks.start()

            try await waitUntil("50 deliveries") { await loop.perform { output.delivered } == 50 }
            await clicks.shutdown()           // stop, wait for the sinks, commit, leave the group
            #expect(clicks.committed.values.reduce(0, +) == 50)
            output.close()
            loop.shutdown()
        }
    }
}
