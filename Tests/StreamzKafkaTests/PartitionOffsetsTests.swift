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

    /// Random gaps, holds and release orders, against a plain model: the lookups
    /// that guess an index from the offset must still find (or miss) the right one.
    @Test func matchesAModelUnderGapsAndRandomReleases() {
        var random = SeededRandom(seed: 42)
        for _ in 0..<20 {
            var offsets = PartitionOffsets(position: 0)
            var holds: [Int64: Int] = [:]  // the model: offset → holds, done ones removed
            var next: Int64 = 0
            for _ in 0..<2_000 {
                switch random.next() % 4 {
                case 0, 1:
                    next += Int64(random.next() % 3 == 0 ? random.next() % 5 : 0)  // a gap, sometimes
                    offsets.received(offset: next, bytes: 1)
                    holds[next] = 1
                    next += 1
                case 2:
                    let offset = Int64(random.next() % UInt64(next + 1))
                    offsets.retain(offset: offset)
                    if holds[offset] != nil { holds[offset]! += 1 }
                default:
                    let offset = Int64(random.next() % UInt64(next + 1))
                    let done = offsets.release(offset: offset)
                    var modelDone = false
                    if let count = holds[offset] {
                        if count == 1 { holds[offset] = nil; modelDone = true } else { holds[offset] = count - 1 }
                    }
                    #expect(done == modelDone)
                }
                #expect(offsets.committable == (holds.keys.min() ?? next))
                #expect(offsets.inFlightRecords == holds.count)
            }
        }
    }
}

/// A seeded generator (xorshift64*), so a failure replays.
private struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        return (state &* 0x2545_F491_4F6C_DD1D) >> 8
    }
}
