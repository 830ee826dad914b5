import CRdKafka
import Foundation

/// A Kafka-protocol cluster in this process: librdkafka's mock cluster
/// (`rd_kafka_mock_cluster_new`), listening on loopback TCP (127.0.0.1, ephemeral
/// ports). Any Kafka client can talk to it through `bootstrapServers`: this module's
/// consumer and producer, kcat, confluent-kafka. It supports produce and fetch,
/// consumer groups, offset commits, the idempotent and transactional producer, and
/// error injection. The Admin API (CreateTopics) is not supported: create topics with
/// `init(topics:)` or `createTopic`. A topic a client names before it exists is
/// auto-created with the mock's defaults (4 partitions).
///
/// Retention is librdkafka's stock mock retention: each partition keeps at most
/// 5 MiB or 100,000 message sets, whichever comes first, and drops the oldest
/// beyond that. For large runs use more partitions or producer compression (lz4).
///
/// The cluster lives on a dedicated producer handle that never produces; it exists
/// because librdkafka hangs a mock cluster off an `rd_kafka_t`. `shutdown()` (or
/// deinit) destroys the cluster, then the handle.
public final class EmbeddedKafka: @unchecked Sendable {
    /// The brokers, `127.0.0.1:<port>` separated by commas, one per broker.
    /// It stays readable after `shutdown()`.
    public let bootstrapServers: String
    /// How many brokers the cluster has. Their ids run from 1 to `brokers`.
    public let brokers: Int

    /// Guards `handle` and `cluster`: every C call happens under it, so `shutdown`
    /// cannot free the cluster under a concurrent fault-injection call.
    private let lock = NSLock()
    private var handle: OpaquePointer?
    private var cluster: OpaquePointer?

    /// Starts a cluster of `brokers` brokers and creates `topics` on it.
    ///
    /// - Parameter properties: librdkafka properties for the owning handle, over
    ///   `client.id=streamz-embedded-broker` and `log_level=4`.
    public init(
        brokers: Int = 1,
        topics: [(name: String, partitions: Int)] = [],
        properties: [String: String] = [:]
    ) throws {
        guard brokers >= 1, let brokerCount = Int32(exactly: brokers) else {
            throw KafkaConfigError(property: "brokers", message: "needs 1 or more brokers, got \(brokers)")
        }
        // log_level 4 (warning): the handle has no bootstrap.servers on purpose, and
        // librdkafka would print a notice saying so on every start.
        let defaults = ["client.id": "streamz-embedded-broker", "log_level": "4"]
        let config = try RDKafkaConfig(defaults.merging(properties) { $1 })
        var errorText = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, config.take(), &errorText, errorText.count) else {
            let message = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw KafkaConfigError(property: "rd_kafka_new", message: message)
        }
        guard let cluster = rd_kafka_mock_cluster_new(handle, brokerCount) else {
            rd_kafka_destroy(handle)
            throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, "could not start the mock cluster")
        }
        self.handle = handle
        self.cluster = cluster
        self.brokers = brokers
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))

        // The project promises loopback only; a librdkafka that listened elsewhere
        // would break that promise silently.
        let hosts = bootstrapServers.split(separator: ",").map { $0.split(separator: ":").first ?? "" }
        guard hosts.count == brokers, hosts.allSatisfy({ $0 == "127.0.0.1" }) else {
            let found = bootstrapServers
            shutdown()
            throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, "mock cluster is not on 127.0.0.1 only: \(found)")
        }
        do {
            for topic in topics {
                try createTopic(topic.name, partitions: topic.partitions)
            }
        } catch {
            shutdown()
            throw error
        }
    }

    deinit {
        shutdown()
    }

    /// Destroys the cluster, then its handle. Safe to call more than once; every
    /// other method throws `_DESTROY` afterwards.
    public func shutdown() {
        lock.lock()
        defer { lock.unlock() }
        // The cluster first: it runs on the handle's internals.
        if let cluster { rd_kafka_mock_cluster_destroy(cluster) }
        if let handle { rd_kafka_destroy(handle) }
        cluster = nil
        handle = nil
    }

    /// Creates a topic. Creating one that already exists is an error
    /// (`TOPIC_ALREADY_EXISTS`). librdkafka 2.0's mock places replicas itself (on
    /// up to 3 brokers) whatever `replicationFactor` says; it is checked against the
    /// broker count so code written against it also holds on a real cluster.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws {
        guard partitions >= 1, partitions <= Int(Int32.max) else {
            throw KafkaError(RD_KAFKA_RESP_ERR_INVALID_PARTITIONS, "topic '\(name)': \(partitions) partitions")
        }
        guard (1...brokers).contains(replicationFactor) else {
            throw KafkaError(
                RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR,
                "topic '\(name)': replication factor \(replicationFactor) with \(brokers) broker(s)")
        }
        try withCluster("create topic '\(name)'") {
            rd_kafka_mock_topic_create($0, name, Int32(partitions), Int32(replicationFactor))
        }
    }

    // MARK: Fault injection

    /// The next `errors.count` requests of type `api`, to any broker, fail with these
    /// errors in order (a `.noError` entry lets one request through). `.transport`
    /// makes the broker drop the connection instead of answering.
    public func injectErrors(api: KafkaAPI, errors: [InjectedError]) throws {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        try withCluster { cluster in
            codes.withUnsafeBufferPointer {
                rd_kafka_mock_push_request_errors_array(cluster, api.rawValue, $0.count, $0.baseAddress)
            }
            return RD_KAFKA_RESP_ERR_NO_ERROR
        }
    }

    /// `count` requests of type `api` fail with `error`.
    public func injectErrors(api: KafkaAPI, error: InjectedError, count: Int) throws {
        try injectErrors(api: api, errors: Array(repeating: error, count: count))
    }

    /// Drops the errors still queued for `api`.
    public func clearErrors(api: KafkaAPI) throws {
        try withCluster {
            rd_kafka_mock_clear_request_errors($0, api.rawValue)
            return RD_KAFKA_RESP_ERR_NO_ERROR
        }
    }

    /// Disconnects broker `id` (1-based, -1 for all) and refuses new connections.
    /// Partition leadership does not move.
    public func setBrokerDown(_ id: Int32) throws {
        try withCluster("broker \(id) down") { rd_kafka_mock_broker_set_down($0, id) }
    }

    /// Lets broker `id` (1-based, -1 for all) accept connections again.
    public func setBrokerUp(_ id: Int32) throws {
        try withCluster("broker \(id) up") { rd_kafka_mock_broker_set_up($0, id) }
    }

    /// Delays every response of broker `id` (1-based, -1 for all) by `milliseconds`.
    public func setBrokerRTT(_ id: Int32, milliseconds: Int) throws {
        guard milliseconds >= 0, milliseconds <= Int(Int32.max) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, "broker \(id) RTT \(milliseconds) ms")
        }
        try withCluster("broker \(id) RTT") { rd_kafka_mock_broker_set_rtt($0, id, Int32(milliseconds)) }
    }

    /// Runs one mock-cluster call under the lock and turns its result into a throw.
    private func withCluster(
        _ context: String = "", _ body: (OpaquePointer) -> rd_kafka_resp_err_t
    ) throws {
        lock.lock()
        defer { lock.unlock() }
        guard let cluster else {
            throw KafkaError(RD_KAFKA_RESP_ERR__DESTROY, "embedded Kafka is shut down")
        }
        let result = body(cluster)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(result, context) }
    }
}

extension EmbeddedKafka {
    /// A Kafka protocol error code to inject: broker codes are ≥ 0 (Kafka's own
    /// numbering), librdkafka's local ones negative. The named ones are the retriable
    /// errors clients are expected to ride out, plus a few fatal ones for contrast;
    /// any other code works through the integer literal.
    public struct InjectedError: RawRepresentable, Hashable, Sendable, ExpressibleByIntegerLiteral,
        CustomStringConvertible
    {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public init(integerLiteral value: Int32) { self.rawValue = value }

        /// Lets one request through in an error sequence.
        public static let noError: Self = 0
        public static let unknownTopicOrPartition: Self = 3
        public static let leaderNotAvailable: Self = 5
        public static let notLeaderForPartition: Self = 6
        public static let requestTimedOut: Self = 7
        public static let networkException: Self = 13
        public static let coordinatorLoadInProgress: Self = 14
        public static let coordinatorNotAvailable: Self = 15
        public static let notCoordinator: Self = 16
        public static let notEnoughReplicas: Self = 19
        /// Not retriable: the client gives up on the request.
        public static let topicAuthorizationFailed: Self = 29
        /// Not retriable for a consumer group member: it must rejoin.
        public static let rebalanceInProgress: Self = 27
        /// librdkafka's `_TRANSPORT`: the broker closes the connection.
        public static let transport = Self(rawValue: RD_KAFKA_RESP_ERR__TRANSPORT.rawValue)

        /// librdkafka's name for the code, e.g. `REQUEST_TIMED_OUT`.
        public var description: String {
            String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue)))
        }
    }
}

/// Kafka protocol request types (API keys), for error injection.
public enum KafkaAPI: Int16, Sendable, CaseIterable {
    case produce = 0
    case fetch = 1
    case listOffsets = 2
    case metadata = 3
    case offsetCommit = 8
    case offsetFetch = 9
    case findCoordinator = 10
    case joinGroup = 11
    case heartbeat = 12
    case leaveGroup = 13
    case syncGroup = 14
    case describeGroups = 15
    case listGroups = 16
    case apiVersions = 18
    case initProducerId = 22
    case offsetForLeaderEpoch = 23
    case addPartitionsToTxn = 24
    case addOffsetsToTxn = 25
    case endTxn = 26
    case txnOffsetCommit = 28
}
