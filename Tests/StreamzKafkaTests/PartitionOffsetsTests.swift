import Testing
@testable import StreamzKafka

@Suite struct PartitionOffsetsTests {
    @Test func commitsOnlyUpToTheOldestRecordNotDone() {
        var offsets = PartitionOffsets(position: 100)
        #expect(offsets.committable == 100)
        for offset: Int64 in 100...104 { offsets.received(offset: offset, bytes: 10) }
        #expect(offsets.committable == 100)
        offsets.release(offset: 101)
        offsets.release(offset: 103)
        #expect(offsets.committable == 100, "100 is not done, so nothing after it may be committed")
        offsets.release(offset: 100)
        #expect(offsets.committable == 102)
        offsets.release(offset: 102)
        #expect(offsets.committable == 104)
        offsets.release(offset: 104)
        #expect(offsets.committable == 105)
        #expect(offsets.inFlightRecords == 0 && offsets.inFlightBytes == 0)
    }

    @Test func gapsInOffsetsAreNotWaitedFor() {
        var offsets = PartitionOffsets(position: 0)
        offsets.received(offset: 0, bytes: 1)
        offsets.received(offset: 5, bytes: 1)  // 1-4 were compacted away
        offsets.release(offset: 0)
        #expect(offsets.committable == 5)
        offsets.release(offset: 5)
        #expect(offsets.committable == 6)
    }

    @Test func extraHoldsDelayDoneness() {
        var offsets = PartitionOffsets(position: 0)
        offsets.received(offset: 0, bytes: 3)
        offsets.retain(offset: 0)              // an async sink keeps it
        let doneAfterEmitter = offsets.release(offset: 0)  // the emitter lets go
        #expect(!doneAfterEmitter)
        #expect(offsets.committable == 0)
        #expect(offsets.inFlightBytes == 3)
        let doneAfterSink = offsets.release(offset: 0)     // the sink's write is acknowledged
        #expect(doneAfterSink)
        #expect(offsets.committable == 1)
    }

    @Test func staleAndDoubleReleasesAreIgnored() {
        var offsets = PartitionOffsets(position: 10)
        offsets.received(offset: 10, bytes: 1)
        let first = offsets.release(offset: 10)
        let second = offsets.release(offset: 10)
        let unknown = offsets.release(offset: 3)
        #expect(first && !second && !unknown)
        #expect(offsets.committable == 11)
        #expect(offsets.inFlightRecords == 0)
    }

    @Test func manyRecordsReleasedOutOfOrder() {
        var offsets = PartitionOffsets(position: 0)
        let count: Int64 = 20_000
        for offset in 0..<count { offsets.received(offset: offset, bytes: 1) }
        for offset in stride(from: count - 1, through: 1, by: -1) { offsets.release(offset: offset) }
        #expect(offsets.committable == 0)
        offsets.release(offset: 0)
        #expect(offsets.committable == count)
    }
}
