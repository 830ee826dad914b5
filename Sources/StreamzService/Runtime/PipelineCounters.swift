/// Counts a pipeline keeps on its loop thread: plain integers, so the hot path pays
/// an add and nothing else. A timer publishes them to the metrics once a second.
final class PipelineCounters {
    /// Records whose windows had closed (sent to the dead letters as `late`).
    var late = 0
    /// Records sent to the dead letters while the pipeline has no dead-letter topic:
    /// counted and logged, rate-limited.
    var unrouted = 0
}
