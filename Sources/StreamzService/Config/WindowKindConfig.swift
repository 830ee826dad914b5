/// The shape of a window step's windows. The size lives in `WindowStepConfig.size`.
public enum WindowKindConfig: Sendable, Equatable {
    case tumbling
    /// Windows of `size` starting every `advance` (Flink's "sliding").
    case hopping(advance: Duration)
    /// Kafka Streams' record-defined windows `[t − size, t]`.
    case sliding
    /// Merging windows of records less than `gap` apart; they have no size.
    case session(gap: Duration)
}
