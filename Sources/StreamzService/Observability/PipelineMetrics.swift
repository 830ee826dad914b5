import Prometheus
import Synchronization

/// The metrics of one pipeline; every series carries `pipeline="<name>"`.
///
/// The pipeline counts records in plain integers on its own thread and publishes the
/// deltas here about once a second, so nothing in this class is on the per-record path;
/// locking and label handling are affordable.
public final class PipelineMetrics: Sendable {
    public let name: String

    private let registry: PrometheusCollectorRegistry
    private let recordsIn: Counter
    private let recordsOut: Counter
    private let deadLetters: Counter
    private let lateRecords: Counter
    private let inFlight: Gauge
    private let openWindows: Gauge
    private let sinkLatency: ValueHistogram

    /// Per-partition gauges, created when a partition first reports and unregistered by
    /// `forget`. Registry calls happen under this lock too, so a `set` racing a
    /// `forget` cannot resurrect an unregistered series half-way.
    private let partitionGauges = Mutex<PartitionGauges>(PartitionGauges())

    private struct PartitionKey: Hashable {
        var topic: String
        var partition: Int32
    }

    private struct PartitionGauges {
        var lag: [PartitionKey: Gauge] = [:]
        var committed: [PartitionKey: Gauge] = [:]
    }

    /// Sink round trips from a fast local write (sub-millisecond) to a struggling
    /// remote (seconds); beyond 10 s only the +Inf bucket counts.
    static let sinkLatencyBuckets: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    /// Use `ServiceMetrics.pipeline(_:)`, which shares one instance per name.
    init(name: String, registry: PrometheusCollectorRegistry) {
        self.name = name
        self.registry = registry
        let labels = [("pipeline", name)]
        recordsIn = registry.makeCounter(descriptor: StreamzMetricFamily.recordsIn, labels: labels)
        recordsOut = registry.makeCounter(descriptor: StreamzMetricFamily.recordsOut, labels: labels)
        deadLetters = registry.makeCounter(descriptor: StreamzMetricFamily.deadLetters, labels: labels)
        lateRecords = registry.makeCounter(descriptor: StreamzMetricFamily.lateRecords, labels: labels)
        inFlight = registry.makeGauge(descriptor: StreamzMetricFamily.inFlight, labels: labels)
        openWindows = registry.makeGauge(descriptor: StreamzMetricFamily.openWindows, labels: labels)
        sinkLatency = registry.makeValueHistogram(
            descriptor: StreamzMetricFamily.sinkLatency, labels: labels, buckets: Self.sinkLatencyBuckets)
    }

    /// Adds the counts since the last call. Counters only go up, so a negative delta
    /// (a caller's bug) is ignored rather than crashing the process over a metric.
    public func add(recordsIn: Int = 0, recordsOut: Int = 0, deadLetters: Int = 0, late: Int = 0) {
        Self.increment(self.recordsIn, by: recordsIn)
        Self.increment(self.recordsOut, by: recordsOut)
        Self.increment(self.deadLetters, by: deadLetters)
        Self.increment(self.lateRecords, by: late)
    }

    public func setInFlight(_ records: Int) {
        inFlight.set(to: Double(records))
    }

    public func setOpenWindows(_ windows: Int) {
        openWindows.set(to: Double(windows))
    }

    /// Messages between the committed (or consumed) position and the partition's end.
    public func setLag(topic: String, partition: Int32, lag: Int64) {
        let key = PartitionKey(topic: topic, partition: partition)
        partitionGauges.withLock { gauges in
            gauge(in: &gauges.lag, key, family: StreamzMetricFamily.consumerLag).set(to: Double(lag))
        }
    }

    /// The last offset committed for the partition (the next offset to read).
    public func setCommitted(topic: String, partition: Int32, offset: Int64) {
        let key = PartitionKey(topic: topic, partition: partition)
        partitionGauges.withLock { gauges in
            gauge(in: &gauges.committed, key, family: StreamzMetricFamily.committedOffset).set(to: Double(offset))
        }
    }

    /// Drops a revoked partition's series so that the exposition does not keep showing
    /// a lag this consumer no longer owns (another member reports it now).
    public func forget(topic: String, partition: Int32) {
        let key = PartitionKey(topic: topic, partition: partition)
        partitionGauges.withLock { gauges in
            if let lag = gauges.lag.removeValue(forKey: key) { registry.unregisterGauge(lag) }
            if let committed = gauges.committed.removeValue(forKey: key) { registry.unregisterGauge(committed) }
        }
    }

    public func recordSinkLatency(seconds: Double) {
        sinkLatency.record(seconds)
    }

    public func recordSinkLatency(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordSinkLatency(seconds: Double(seconds) + Double(attoseconds) / 1e18)
    }

    // MARK: - Helpers

    private func gauge(
        in gauges: inout [PartitionKey: Gauge], _ key: PartitionKey, family: MetricNameDescriptor
    ) -> Gauge {
        if let existing = gauges[key] { return existing }
        let created = registry.makeGauge(
            descriptor: family,
            labels: [("pipeline", name), ("topic", key.topic), ("partition", String(key.partition))])
        gauges[key] = created
        return created
    }

    private static func increment(_ counter: Counter, by delta: Int) {
        guard delta > 0 else { return }
        counter.increment(by: Int64(delta))
    }
}
