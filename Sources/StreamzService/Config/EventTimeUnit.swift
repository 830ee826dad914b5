/// How an event-time field is written.
///
/// Streamz has an `EventTimeUnit` of its own with other case names; this one's cases are
/// spelled as in the YAML.
public enum EventTimeUnit: String, Sendable, Equatable, CaseIterable {
    /// Epoch milliseconds.
    case ms
    /// Epoch seconds.
    case s
    /// An ISO-8601 timestamp string.
    case iso8601
}
