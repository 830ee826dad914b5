/// What a Kafka sink does with the input record's headers.
///
/// `forward` is the default, as in Kafka Streams: trace context and the like travel
/// with the record. `drop` saves the per-record header parse (librdkafka allocates to parse
/// any consumed message's headers, even when there are none), or keeps internal
/// headers off an outward topic. A window's rows carry no headers either way.
public enum HeaderPolicy: String, Sendable, Equatable, CaseIterable {
    case forward
    case drop
}
