import Synchronization

/// Readiness of the service's components, set by the runtime and read by `GET /readyz`.
///
/// The service is ready only when every registered component is. With no components
/// at all it is *not* ready: an empty set means the runtime has not started its
/// pipelines yet, and a load balancer should not route to it.
public final class HealthState: Sendable {
    private struct Component {
        var ready: Bool
        var reason: String?
    }

    private let components = Mutex<[String: Component]>([:])

    public init() {}

    /// Registers `component` or updates it. `reason` explains a `ready: false`.
    public func set(_ component: String, ready: Bool, reason: String? = nil) {
        components.withLock { $0[component] = Component(ready: ready, reason: reason) }
    }

    /// Stops waiting for `component`, e.g. when its pipeline is removed.
    public func remove(_ component: String) {
        components.withLock { _ = $0.removeValue(forKey: component) }
    }

    public var readiness: Readiness {
        components.withLock { components in
            guard !components.isEmpty else { return .starting }
            // Sorted so that the /readyz body is stable between probes.
            let reasons = components
                .filter { !$0.value.ready }
                .sorted { $0.key < $1.key }
                .map { "\($0.key): \($0.value.reason ?? "not ready")" }
            return Readiness(isReady: reasons.isEmpty, reasons: reasons)
        }
    }

    public var report: (ready: Bool, reasons: [String]) {
        let readiness = self.readiness
        return (readiness.isReady, readiness.reasons)
    }

    /// The component that is ready once the pipeline's consumer has partitions assigned.
    public static func assignedComponent(pipeline: String) -> String {
        "pipeline.\(pipeline).assigned"
    }

    /// The component that is ready while the pipeline's sink is reachable.
    public static func sinkComponent(pipeline: String) -> String {
        "pipeline.\(pipeline).sink"
    }
}
