import Streamz
import StreamzKafka

/// The windows of one source partition. State belongs to the partition its records
/// came from, as a Kafka Streams task's does: it is checkpointed with that
/// partition's offset, restored by whichever process is assigned the partition next,
/// and closed by that partition's own watermark.
struct PartitionWindows<Key: WindowTableKey> {
    let partition: TopicPartition
    var state: WindowState<Key, ColumnAggregation>
    /// The highest event time seen; the watermark trails it by the allowed disorder.
    var maxEventTime = Annotation.noTime
    /// One past the last offset that reached the windows; nil before the first.
    var nextOffset: Int64?
    /// The epoch of the last checkpoint (see `CheckpointStore`).
    var epoch: Int64 = 0
    /// Something to checkpoint since the last one.
    var changed = false
    /// When the last record came (the loop's clock), for close-on-idle.
    var lastArrival: Duration

    init(partition: TopicPartition, state: WindowState<Key, ColumnAggregation>, now: Duration) {
        self.partition = partition
        self.state = state
        self.lastArrival = now
    }

    /// The partition's watermark after seeing `eventTime`.
    mutating func observe(_ eventTime: Int64, disorderMillis: Int64) -> Int64 {
        if eventTime > maxEventTime { maxEventTime = eventTime }
        return maxEventTime &- disorderMillis
    }

    var watermark: Int64? {
        let watermark = state.watermark
        return watermark == Annotation.noTime ? nil : watermark
    }
}
