/// A snapshot of whether the service should receive traffic, and if not, why.
public struct Readiness: Sendable, Equatable {
    public var isReady: Bool
    /// One line per component that is not ready, e.g. `pipeline.clicks.sink: connection refused`.
    public var reasons: [String]

    public init(isReady: Bool, reasons: [String]) {
        self.isReady = isReady
        self.reasons = reasons
    }

    /// Nothing has registered yet: the runtime is still building its pipelines.
    public static let starting = Readiness(isReady: false, reasons: ["starting"])
}
