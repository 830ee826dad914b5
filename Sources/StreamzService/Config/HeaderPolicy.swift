/// What a Kafka sink does with the input record's headers.
///
/// `forward` is the default, as in Kafka Streams: trace context and the like travel
/// with the record. `drop` saves the per-record header parse (librdkafka allocates a
/// header list for every consumed message it is asked about, even one without
/// headers), or keeps internal headers off an outward topic.
public enum HeaderPolicy: String, Sendable, Equatable, CaseIterable {
    case forward
    case drop
}
