import Prometheus
import Synchronization

/// The process's Prometheus metrics: one registry, rendered by `GET /metrics`.
///
/// Each instance owns its own registry rather than bootstrapping the global
/// `MetricsSystem`: bootstrapping is once per process, and tests (and embedders) create
/// several services side by side that must not see each other's series.
public final class ServiceMetrics: Sendable {
    /// Every series of this service lives here.
    public let registry: PrometheusCollectorRegistry
    /// A swift-metrics factory over the same registry, for code that speaks the
    /// swift-metrics API (a `main` may bootstrap `MetricsSystem` with it once). Our own
    /// metrics go to the registry directly, because only that API carries HELP text.
    public let factory: PrometheusMetricsFactory

    /// One `PipelineMetrics` per name, so that every caller for a pipeline shares the
    /// same per-partition bookkeeping (and `forget` on one handle is seen by all).
    private let pipelines = Mutex<[String: PipelineMetrics]>([:])

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.factory = PrometheusMetricsFactory(registry: registry)
    }

    /// The metrics of the pipeline called `name`, created on first use.
    public func pipeline(_ name: String) -> PipelineMetrics {
        pipelines.withLock { pipelines in
            if let existing = pipelines[name] { return existing }
            let created = PipelineMetrics(name: name, registry: registry)
            pipelines[name] = created
            return created
        }
    }

    /// All series in the Prometheus text exposition format (version 0.0.4).
    public func exposition() -> String {
        registry.emitToString()
    }
}
