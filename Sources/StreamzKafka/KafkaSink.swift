import CRdKafka
import Logging
import Streamz

/// What a `KafkaSink` writes for one element.
public struct KafkaOutgoing: Sendable {
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Epoch ms; nil lets the producer stamp it.
    public var timestamp: Int64?

    public init(key: [UInt8]? = nil, value: [UInt8]?, headers: [KafkaHeader] = [], timestamp: Int64? = nil) {
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }
}

public struct KafkaSinkConfiguration: Sendable {
    public var bootstrapServers: String
    public var topic: String
    /// librdkafka producer properties, passed through unchanged. Idempotence is on
    /// unless set to false here.
    public var properties: [String: String] = [:]

    public init(bootstrapServers: String, topic: String) {
        self.bootstrapServers = bootstrapServers
        self.topic = topic
    }
}

/// Writes elements to a Kafka topic and acknowledges each one only when its delivery
/// report arrives.
///
/// An element's origin is held until then, so the source never commits past a record
/// whose output is not in Kafka. A full producer queue is back pressure (upstream
/// gets `.pending` until deliveries make room), never an error or a drop. A delivery
/// that fails after librdkafka's retries is fatal: the origin is never released, so
/// nothing past it is committed, and `onFailure` runs to stop the pipeline.
public final class KafkaSink<Element>: Sink<Element> {
    public let configuration: KafkaSinkConfiguration
    @exclusivity(unchecked) private var producer: RDKafkaProducer!
    @exclusivity(unchecked) private var topicHandle: OpaquePointer!
    private let encode: (Element) -> KafkaOutgoing
    @exclusivity(unchecked) private var inFlight = DeliveryLedger()
    @exclusivity(unchecked) private var blocked: [(token: Int, message: KafkaOutgoing)] = []
    @exclusivity(unchecked) private var upstreamWaiting: [PendingAck] = []
    @exclusivity(unchecked) private var drained: [PendingAck] = []
    private let logger = Logger(label: "streamz.kafka.sink")

    @exclusivity(unchecked) public private(set) var delivered = 0
    @exclusivity(unchecked) public private(set) var failure: KafkaError?
    /// The latest sampled time from handing a message to librdkafka to its delivery
    /// report. One message in `latencySampleEvery` is timed, so the hot path reads
    /// the clock rarely.
    @exclusivity(unchecked) public private(set) var lastDeliveryLatency: Duration?
    @exclusivity(unchecked) private var latencySample: (token: Int, started: Duration)?
    /// How long the sampled message in flight has waited for its delivery report: a
    /// long wait means the brokers are unreachable.
    public var oldestSampleAge: Duration? { latencySample.map { clock.now - $0.started } }
    @exclusivity(unchecked) private var sinceSample = 0
    private let latencySampleEvery = 256
    /// Runs once, on the graph's executor, when a delivery fails for good; a pipeline
    /// calls its source's `abort()` here.
    public var onFailure: ((KafkaError) -> Void)?

    init(upstream: Stream<Element>, configuration: KafkaSinkConfiguration, encode: @escaping (Element) -> KafkaOutgoing) throws {
        self.configuration = configuration
        self.encode = encode
        super.init(name: "kafka:\(configuration.topic)", upstream: upstream)
        var properties = configuration.properties
        properties["bootstrap.servers"] = configuration.bootstrapServers
        let clock = upstream.clock
        let reference = WeakReference(self)
        if let loop = clock as? KafkaLoop {
            // On a Kafka loop the reports are served on the loop itself, every turn.
            producer = try RDKafkaProducer(properties: properties, servedBy: loop) { batch in
                reference.value?.delivered(batch)
            }
        } else {
            // Elsewhere they arrive on the producer's thread and are handed over.
            producer = try RDKafkaProducer(properties: properties) { batch in
                clock.execute { reference.value?.delivered(batch) }
            }
        }
        topicHandle = producer.topicHandle(configuration.topic)
        // A strong capture, as every node's is: the upstream owns the sink, and the sink
        // owns nothing upstream. (`unowned` would cost a side-table retain per record,
        // since the sink is also weakly referenced.)
        upstream.subscribe(self) { element, annotation in
            self.receive(element, annotation)
        }
    }

    /// Deliveries awaited.
    public var outstanding: Int { inFlight.count }

    private func receive(_ element: Element, _ annotation: Annotation) -> Ack {
        guard failure == nil else { return .pending(PendingAck()) }  // stopped: hold everything
        annotation.origin?.retain()
        let token = inFlight.open(annotation.origin)
        sinceSample += 1
        if sinceSample >= latencySampleEvery, latencySample == nil {
            sinceSample = 0
            latencySample = (token, clock.now)
        }
        let message = encode(element)
        if !blocked.isEmpty || !send(token, message) {
            blocked.append((token, message))
            let waiting = PendingAck()
            upstreamWaiting.append(waiting)
            return .pending(waiting)
        }
        return .ready
    }

    /// Hands a message to librdkafka; false when its queue is full.
    private func send(_ token: Int, _ message: KafkaOutgoing) -> Bool {
        let error = producer.produce(topicHandle: topicHandle, key: message.key, value: message.value,
                                     headers: message.headers, timestamp: message.timestamp, token: token)
        switch error {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            return true
        case RD_KAFKA_RESP_ERR__QUEUE_FULL:
            return false
        default:
            fail(KafkaError(error, "produce to \(configuration.topic)"))
            return true
        }
    }

    private func delivered(_ batch: [RDKafkaProducer.Delivery]) {
        for delivery in batch {
            if let sample = latencySample, sample.token == delivery.token {
                lastDeliveryLatency = clock.now - sample.started
                latencySample = nil
            }
            guard let origin = inFlight.close(delivery.token) else { continue }
            if delivery.error == 0 {
                delivered += 1
                origin?.release()
            } else {
                fail(KafkaError(rd_kafka_resp_err_t(rawValue: delivery.error), "delivery to \(configuration.topic)"))
            }
        }
        while let (token, message) = blocked.first, failure == nil {
            guard send(token, message) else { break }
            blocked.removeFirst()
        }
        if blocked.isEmpty {
            let waiting = upstreamWaiting
            upstreamWaiting = []
            for ack in waiting { ack.complete() }
        }
        if inFlight.isEmpty {
            let waiters = drained
            drained = []
            for ack in waiters { ack.complete() }
        }
    }

    private func fail(_ error: KafkaError) {
        guard failure == nil else { return }
        failure = error
        logger.error("\(error); stopping without committing past the undelivered record")
        onFailure?(error)
    }

    /// Completes when every element handed to the sink so far has been delivered (or
    /// at once if none is outstanding). Call on the graph's executor.
    public func whenDrained() -> Ack {
        if inFlight.isEmpty { return .ready }
        let ack = PendingAck()
        drained.append(ack)
        return .pending(ack)
    }

    /// Flushes outstanding messages and stops the producer. After a failure the queue
    /// is purged instead: those records stay uncommitted and are read again.
    public func close(timeout: Duration = .seconds(10)) {
        producer.close(timeoutMilliseconds: failure == nil ? Int32(clamping: timeout.milliseconds) : 0)
    }
}

extension Stream {
    /// Writes every element to a Kafka topic, as `encode` renders it.
    public final func sinkToKafka(
        _ configuration: KafkaSinkConfiguration, encode: @escaping (Element) -> KafkaOutgoing
    ) throws -> KafkaSink<Element> {
        try KafkaSink(upstream: self, configuration: configuration, encode: encode)
    }
}

/// A weak reference that may cross to the producer's thread; it is only dereferenced
/// on the graph's executor.
final class WeakReference<Value: AnyObject>: @unchecked Sendable {
    weak var value: Value?
    init(_ value: Value) { self.value = value }
}
