import Testing
@testable import Streamz

/// An element's origin is released (its record is done) only when everything
/// derived from it has been acknowledged downstream. streamz releases too early in
/// every case below.
@Suite struct BackPressureReleaseTests {
    @Test func synchronousPathReleasesOnReturnAndFiltersReleaseDrops() {
        let tracker = RecordingTracker()
        let source = Stream<Int>(clock: ManualClock())
        source.map { $0 * 2 }.filter { $0 > 2 }.sinkToList()
        #expect(tracker.emit(1, slot: 1, into: source).isReady)
        #expect(tracker.emit(2, slot: 2, into: source).isReady)
        #expect(tracker.done == [1, 2])
    }

    @Test func slowAsyncSinkHoldsTheOriginAndAppliesBackPressure() async {
        let clock = ManualClock()
        let gate = Gate()
        let tracker = RecordingTracker()
        let source = Stream<Int>(clock: clock)
        source.map { $0 + 1 }.sink { (x: Int) async in await gate.wait(x) }
        let ack = tracker.emit(1, slot: 1, into: source)
        guard case .pending(let pending) = ack else {
            Issue.record("an async sink that has not finished must answer .pending")
            return
        }
        await clock.settleWhile { await !gate.isWaiting(2) }
        #expect(!tracker.isDone(1))
        #expect(!pending.isComplete)
        await gate.open(2)
        await clock.settle()
        #expect(pending.isComplete)
        #expect(tracker.isDone(1))
    }

    @Test func rateLimitReleasesQueuedElementsOnlyWhenEmitted() {
        let clock = ManualClock()
        let tracker = RecordingTracker()
        let source = Stream<Int>(clock: clock)
        let out = source.rateLimit(.seconds(1)).sinkToList()
        let first = tracker.emit(1, slot: 1, into: source)
        tracker.emit(2, slot: 2, into: source)
        #expect(tracker.done == [1], "the first went out at once")
        #expect(!first.isReady, "upstream waits for the interval")
        clock.advance(by: .seconds(1))
        #expect(out.values == [1, 2])
        #expect(tracker.done == [1, 2])
        #expect(tracker.holds.values.allSatisfy { $0 == 0 }, "released exactly once")
    }

    @Test func bufferHoldsQueuedElementsUntilDownstreamTakesThem() async {
        let clock = ManualClock()
        let gate = Gate()
        let tracker = RecordingTracker()
        let source = Stream<Int>(clock: clock)
        source.buffer(2).sink { (x: Int) async in await gate.wait(x) }
        #expect(tracker.emit(1, slot: 1, into: source).isReady, "buffered, downstream now busy")
        #expect(tracker.emit(2, slot: 2, into: source).isReady)
        let full = tracker.emit(3, slot: 3, into: source)
        #expect(!full.isReady, "a full buffer makes upstream wait")
        #expect(tracker.done.isEmpty)
        await gate.open(1)
        await clock.settleWhile { await !gate.isWaiting(2) }
        #expect(tracker.done == [1])
        await gate.open(2)
        await gate.open(3)
        await clock.settle()
        #expect(tracker.done == [1, 2, 3])
        if case .pending(let pending) = full { #expect(pending.isComplete) }
    }

    @Test func partitionHoldsEveryElementOfABatchUntilTheBatchIsAcknowledged() async {
        let clock = ManualClock()
        let gate = Gate()
        let tracker = RecordingTracker()
        let source = Stream<Int>(clock: clock)
        source.partition(2).sink { (batch: [Int]) async in await gate.wait(batch[0]) }
        #expect(tracker.emit(1, slot: 1, into: source).isReady)
        #expect(tracker.done.isEmpty, "a partial batch holds its elements")
        let ack = tracker.emit(2, slot: 2, into: source)
        #expect(!ack.isReady, "the batch went to a busy sink")
        #expect(tracker.done.isEmpty, "the batch is not done while the sink works on it")
        await gate.open(1)
        await clock.settle()
        #expect(Set(tracker.done) == [1, 2])
    }

    @Test func zipHoldsBufferedElementsUntilTheirPairIsAcknowledged() async {
        let clock = ManualClock()
        let gate = Gate()
        let tracker = RecordingTracker()
        let left = Stream<Int>(clock: clock), right = Stream<Int>(clock: clock)
        left.zip(right).sink { (pair: (Int, Int)) async in await gate.wait(pair.0) }
        tracker.emit(1, slot: 1, into: left)
        #expect(!tracker.isDone(1), "waiting for its partner")
        tracker.emit(10, slot: 10, into: right)
        #expect(tracker.done.isEmpty, "the pair is in the async sink")
        await gate.open(1)
        await clock.settle()
        #expect(Set(tracker.done) == [1, 10])
    }

    @Test func timedWindowAndDelayHoldUntilEmitted() {
        let clock = ManualClock()
        let tracker = RecordingTracker()
        let source = Stream<Int>(clock: clock)
        source.timedWindow(.seconds(1)).sinkToList()
        source.delay(.milliseconds(500)).sinkToList()
        tracker.emit(1, slot: 1, into: source)
        #expect(!tracker.isDone(1))
        clock.advance(by: .milliseconds(500))
        #expect(!tracker.isDone(1), "delay emitted it, the window still holds it")
        clock.advance(by: .milliseconds(500))
        #expect(tracker.isDone(1))
    }

    @Test func groupOriginsAreReleasedExactlyOnce() {
        let clock = ManualClock()
        let tracker = RecordingTracker()
        let source = Stream<Int>(clock: clock)
        let batches = source.partition(3)
        batches.sinkToList()
        batches.flatten().sinkToList()
        for slot in 1...7 { tracker.emit(slot, slot: slot, into: source) }
        (batches as PartitionNode<Int>).flush()
        #expect(Set(tracker.done) == Set(1...7))
        #expect(tracker.holds.values.allSatisfy { $0 == 0 })
    }

    @Test func eventTimeOfABatchIsItsLatestMember() {
        let tracker = RecordingTracker()
        let source = Stream<Int>(clock: ManualClock())
        var times: [Int64] = []
        source.partition(2).sinkAnnotated { _, annotation in times.append(annotation.eventTime) }
        tracker.emit(1, slot: 1, into: source, eventTime: 200)
        tracker.emit(2, slot: 2, into: source, eventTime: 100)
        #expect(times == [200])
    }
}
