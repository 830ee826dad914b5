import CRdKafka
import Foundation
import Streamz

/// A plain blocking producer for tools, demos and tests: `send` waits while the
/// queue is full, `flush` waits for every delivery report. Not for pipelines, which
/// use `KafkaSink` (commit-on-acknowledge, back pressure without blocking).
public final class KafkaTopicWriter: @unchecked Sendable {
    private let producer: RDKafkaProducer
    private let failed = Locked(0)
    private var sent = 0

    public init(bootstrapServers: String, properties: [String: String] = [:]) throws {
        var merged = ["compression.codec": "lz4", "linger.ms": "20"].merging(properties) { $1 }
        merged["bootstrap.servers"] = bootstrapServers
        let failed = self.failed
        producer = try RDKafkaProducer(properties: merged) { batch in
            let failures = batch.reduce(0) { $0 + ($1.error == 0 ? 0 : 1) }
            if failures > 0 { failed.withLock { $0 += failures } }
        }
    }

    /// Queues one message, waiting while librdkafka's queue is full.
    public func send(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = [],
                     timestamp: Int64? = nil) throws {
        sent += 1
        while true {
            let error = producer.produce(topic: topic, key: key, value: value, headers: headers,
                                         timestamp: timestamp, token: sent)
            if error == RD_KAFKA_RESP_ERR_NO_ERROR { return }
            guard error == RD_KAFKA_RESP_ERR__QUEUE_FULL else { throw KafkaError(error, "produce to \(topic)") }
            Thread.sleep(forTimeInterval: 0.001)
        }
    }

    /// Waits for every delivery; throws if any failed or time ran out.
    public func flush(timeout: Duration = .seconds(30)) throws {
        guard producer.flush(timeoutMilliseconds: Int32(clamping: timeout.milliseconds)) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, "flush")
        }
        let failures = failed.withLock { $0 }
        if failures > 0 { throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, "\(failures) message(s) were not delivered") }
    }

    public func close() {
        producer.close()
    }
}
