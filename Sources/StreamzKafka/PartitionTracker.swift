import Streamz

/// The origin tracker of one assigned partition: records' holds, by offset.
/// It lives on the source's loop thread, like the graph that retains and releases.
final class PartitionTracker: OriginTracker {
    let partition: TopicPartition
    /// Nil until the first record shows where consumption starts.
    @exclusivity(unchecked) private(set) var offsets: PartitionOffsets?
    /// Set when the partition is revoked: later releases change nothing.
    @exclusivity(unchecked) var revoked = false
    private let budget: InFlightBudget

    init(partition: TopicPartition, budget: InFlightBudget) {
        self.partition = partition
        self.budget = budget
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
        budget.change(records: 1, bytes: bytes)
    }

    override func retain(_ slot: Int) {
        guard !revoked else { return }
        offsets?.retain(offset: Int64(slot))
    }

    override func release(_ slot: Int) {
        guard !revoked, offsets != nil else { return }
        // Read the counters, never copy `offsets`: a copy would share its array and make
        // the release below copy every in-flight entry.
        let records = offsets!.inFlightRecords, bytes = offsets!.inFlightBytes
        offsets!.release(offset: Int64(slot))
        if offsets!.inFlightRecords != records {
            budget.change(records: offsets!.inFlightRecords - records, bytes: offsets!.inFlightBytes - bytes)
        }
    }
}
