import Testing
@testable import Streamz

@Suite struct MergeTests {
    @Test func unionMergesInArrivalOrder() {
        let clock = ManualClock()
        let a = Stream<Int>(clock: clock), b = Stream<Int>(clock: clock), c = Stream<Int>(clock: clock)
        let out = a.union(b, c).sinkToList()
        a.emit(1); c.emit(2); b.emit(3); a.emit(4)
        #expect(out.values == [1, 2, 3, 4])
    }

    @Test func zipPairsInOrder() {
        let clock = ManualClock()
        let numbers = Stream<Int>(clock: clock), letters = Stream<String>(clock: clock)
        let out = numbers.zip(letters).sinkToList()
        numbers.emit(1); numbers.emit(2)
        letters.emit("a")
        numbers.emit(3)
        letters.emit("b"); letters.emit("c"); letters.emit("d")
        #expect(out.values.map { "\($0.0)\($0.1)" } == ["1a", "2b", "3c"])
    }

    @Test func zipBoundsEachInputWithBackPressure() {
        let clock = ManualClock()
        let fast = Stream<Int>(clock: clock), slow = Stream<Int>(clock: clock)
        let out = fast.zip(slow, maxBuffer: 2).sinkToList()
        #expect(fast.emit(1).isReady)
        let second = fast.emit(2)
        guard case .pending(let full) = second else {
            Issue.record("a full zip input must get .pending")
            return
        }
        #expect(!full.isComplete)
        #expect(slow.emit(10).isReady)
        #expect(full.isComplete, "a pair frees the buffer and resumes the fast input")
        #expect(out.values.map(\.0) == [1])
    }

    @Test func combineLatestEmitsOnEitherOrOnlyOnTheChosenInput() {
        let clock = ManualClock()
        let a = Stream<Int>(clock: clock), b = Stream<String>(clock: clock)
        let either = a.combineLatest(b).sinkToList()
        let onFirst = a.combineLatest(b, emitOn: .first).sinkToList()
        let onSecond = a.combineLatest(b, emitOn: .second).sinkToList()
        a.emit(1)
        b.emit("x")
        a.emit(2)
        b.emit("y")
        #expect(either.values.map { "\($0.0)\($0.1)" } == ["1x", "2x", "2y"])
        #expect(onFirst.values.map { "\($0.0)\($0.1)" } == ["2x"])
        #expect(onSecond.values.map { "\($0.0)\($0.1)" } == ["1x", "2y"])
    }

    @Test func zipLatestKeepsEveryLosslessElement() {
        let tracker = RecordingTracker()
        let clock = ManualClock()
        let lossless = Stream<Int>(clock: clock), other = Stream<String>(clock: clock)
        let out = lossless.zipLatest(other).sinkToList()
        tracker.emit(1, slot: 1, into: lossless)
        tracker.emit(2, slot: 2, into: lossless)
        #expect(out.values.isEmpty)
        #expect(!tracker.isDone(1), "waiting for the other stream, the element is held")
        other.emit("a")
        other.emit("b")
        lossless.emit(3)
        #expect(out.values.map { "\($0.0)\($0.1)" } == ["1a", "2a", "3b"])
        #expect(tracker.isDone(1) && tracker.isDone(2))
    }
}
