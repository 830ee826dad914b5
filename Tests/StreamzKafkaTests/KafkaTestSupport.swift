import CRdKafka
import Foundation
@testable import Streamz
import Testing
@testable import StreamzKafka

/// Fast group settings for the mock cluster, so rebalances take well under seconds.
let fastConsumer: [String: String] = [
    "session.timeout.ms": "3000",
    "heartbeat.interval.ms": "200",
    "fetch.wait.max.ms": "20",
    "topic.metadata.refresh.interval.ms": "500",
    "log_level": "3",
]

/// Waits (really: this is a broker) until `condition` holds, or fails the test.
func waitUntil(_ what: String, timeout: Duration = .seconds(45), _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(await condition()) {
        if ContinuousClock.now >= deadline {
            Issue.record("timed out waiting for \(what)")
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// Produces test input straight through the producer wrapper, and waits for delivery.
func produce(_ messages: [(key: String, value: String)], to topic: String, bootstrap: String) throws {
    let delivered = Locked(0)
    let failed = Locked(0)
    let producer = try RDKafkaProducer(properties: ["bootstrap.servers": bootstrap, "log_level": "3"]) { batch in
        delivered.withLock { $0 += batch.filter { $0.error == 0 }.count }
        failed.withLock { $0 += batch.filter { $0.error != 0 }.count }
    }
    for (index, message) in messages.enumerated() {
        while producer.produce(topic: topic, key: Array(message.key.utf8), value: Array(message.value.utf8),
                               headers: [KafkaHeader("n", "\(index)")], timestamp: nil, token: index + 1) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
            Thread.sleep(forTimeInterval: 0.005)
        }
    }
    #expect(producer.flush(timeoutMilliseconds: 20_000))
    producer.close()
    #expect(failed.withLock { $0 } == 0)
}

/// A pipeline `source topic → transform → sink topic` on its own loop.
final class Pipeline: @unchecked Sendable {
    let loop = KafkaLoop()
    let source: KafkaSource
    let sink: KafkaSink<KafkaRecord>

    init(bootstrap: String, group: String, from input: String, to output: String,
         configure: (inout KafkaSourceConfiguration) -> Void = { _ in }) throws {
        var configuration = KafkaSourceConfiguration(bootstrapServers: bootstrap, groupID: group, topics: [input])
        configuration.properties = fastConsumer
        configure(&configuration)
        source = try KafkaSource(configuration, loop: loop)
        var sinkConfiguration = KafkaSinkConfiguration(bootstrapServers: bootstrap, topic: output)
        sinkConfiguration.properties = ["log_level": "3"]
        sink = try source.sinkToKafka(sinkConfiguration) { record in
            KafkaOutgoing(key: record.key, value: record.valueString.map { Array($0.uppercased().utf8) },
                          headers: record.headers)
        }
        source.start()
    }

    func stop() async {
        await source.shutdown()
        sink.close()
        loop.shutdown()
    }
}

/// Collects a topic's records with its own group, from the beginning.
final class Collector: @unchecked Sendable {
    let loop = KafkaLoop()
    let source: KafkaSource
    private let records = Locked<[KafkaRecord]>([])

    init(bootstrap: String, topic: String, group: String = "collector-\(UUID())") throws {
        var configuration = KafkaSourceConfiguration(bootstrapServers: bootstrap, groupID: group, topics: [topic])
        configuration.properties = fastConsumer
        source = try KafkaSource(configuration, loop: loop)
        let records = self.records
        source.sink { record in records.withLock { $0.append(record) } }
        source.start()
    }

    var values: [KafkaRecord] { records.withLock { $0 } }

    func stop() async {
        await source.shutdown()
        loop.shutdown()
    }
}

