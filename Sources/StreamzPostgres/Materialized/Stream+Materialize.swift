import Streamz
import StreamzKafka

extension Stream {
    /// Keyed event-time windows materialized into `table`, exactly once: see
    /// `MaterializedWindow`. `values` gives up to four numbers per record, read by the
    /// table's aggregate columns through their `input` lane. Call `prepare()` on the
    /// result before starting `source`.
    public final func materialize<Key: WindowTableKey>(
        into table: WindowTable, client: PostgresClient, source: KafkaSource, options: MaterializedWindowOptions,
        key: @escaping (Element) -> Key, values: @escaping (Element) -> ColumnAggregation.Input = { _ in .zero }
    ) throws -> MaterializedWindow<Element, Key> {
        try MaterializedWindow(upstream: self, source: source, client: client, table: table, options: options,
                               key: key, values: values)
    }
}
