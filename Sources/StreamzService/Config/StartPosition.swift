/// Where a consumer group with no committed offset starts reading.
public enum StartPosition: String, Sendable, Equatable, CaseIterable {
    case earliest
    case latest
}
