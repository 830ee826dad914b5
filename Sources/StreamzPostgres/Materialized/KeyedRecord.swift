import StreamzKafka

/// A record with its window key and aggregate inputs already computed, as the
/// service hands records to a materialized window: the computing step can send a
/// record whose key or values fail to the dead letters, which the window's
/// non-throwing closures could not. Declared here so the window's hot path gets a
/// specialised copy for it.
public struct KeyedRecord: Sendable {
    public var key: [String]
    public var values: ColumnAggregation.Input
    /// The record it came from, for dead letters.
    public var source: KafkaRecord

    public init(key: [String], values: ColumnAggregation.Input, source: KafkaRecord) {
        self.key = key
        self.values = values
        self.source = source
    }
}
