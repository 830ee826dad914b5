import Streamz

/// The origin tracker of one assigned partition: records' holds, by offset.
/// It lives on the source's loop thread, like the graph that retains and releases.
final class PartitionTracker: OriginTracker {
    let partition: TopicPartition
    /// Nil until the first record shows where consumption starts.
    private(set) var offsets: PartitionOffsets?
    /// Set when the partition is revoked: later releases change nothing.
    var revoked = false
    private let onChange: (_ records: Int, _ bytes: Int) -> Void

    init(partition: TopicPartition, onChange: @escaping (_ records: Int, _ bytes: Int) -> Void) {
        self.partition = partition
        self.onChange = onChange
    }

    var committable: Int64? { offsets?.committable }
    var inFlightRecords: Int { offsets?.inFlightRecords ?? 0 }
    var inFlightBytes: Int { offsets?.inFlightBytes ?? 0 }

    func received(offset: Int64, bytes: Int) {
        if offsets == nil || offset < offsets!.nextOffset {
            // The first record, or a seek backwards (a restore): start over from here.
            offsets = PartitionOffsets(position: offset)
        }
        offsets!.received(offset: offset, bytes: bytes)
        onChange(1, bytes)
    }

    override func retain(_ slot: Int) {
        guard !revoked else { return }
        offsets?.retain(offset: Int64(slot))
    }

    override func release(_ slot: Int) {
        guard !revoked, let before = offsets else { return }
        offsets!.release(offset: Int64(slot))
        let records = offsets!.inFlightRecords - before.inFlightRecords
        if records != 0 { onChange(records, offsets!.inFlightBytes - before.inFlightBytes) }
    }
}
