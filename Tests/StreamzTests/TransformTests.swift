import Testing
@testable import Streamz

@Suite struct TransformTests {
    @Test func seedExample() {
        let source = Stream<Int>(clock: ManualClock())
        let list = source.map { $0 + 1 }.filter { $0 % 2 == 0 }.accumulate(0, +).sinkToList()
        for x in 1...5 { source.emit(x) }
        #expect(list.values == [2, 6, 12])
    }

    @Test func removeIsTheNegationOfFilter() {
        let source = Stream<Int>(clock: ManualClock())
        let kept = source.remove { $0 % 3 == 0 }.sinkToList()
        for x in 1...7 { source.emit(x) }
        #expect(kept.values == [1, 2, 4, 5, 7])
    }

    @Test func filterWithoutPredicateKeepsTruthyValues() {
        let bools = Stream<Bool>(clock: ManualClock())
        let trues = bools.filter().sinkToList()
        for b in [true, false, true] { bools.emit(b) }
        #expect(trues.values == [true, true])

        let optionals = Stream<Int?>(clock: ManualClock())
        let present = optionals.compact().sinkToList()
        for x in [1, nil, 3] { optionals.emit(x) }
        #expect(present.values == [1, 3])
    }

    @Test func accumulateVariants() {
        let source = Stream<Int>(clock: ManualClock())
        let noStart = source.accumulate(+).sinkToList()
        let returningState = source.accumulate(0, returningState: { state, x in (state + x, "\(state)+\(x)") }).sinkToList()
        let withState = source.accumulateWithState(0) { state, x in (state + x, x * 10) }.sinkToList()
        for x in [5, 1, 2] { source.emit(x) }
        #expect(noStart.values == [5, 6, 8])
        #expect(returningState.values == ["0+5", "5+1", "6+2"])
        #expect(withState.values.map(\.0) == [5, 6, 8])
        #expect(withState.values.map(\.1) == [50, 10, 20])
    }

    @Test func flattenEmitsMembersWithTheSequenceAnnotation() {
        let tracker = RecordingTracker()
        let source = Stream<[Int]>(clock: ManualClock())
        var seen: [(Int, Int64)] = []
        source.flatten().sinkAnnotated { x, annotation in seen.append((x, annotation.eventTime)) }
        tracker.emit([1, 2, 3], slot: 0, into: source, eventTime: 42)
        source.emit([])
        source.emit([4])
        #expect(seen.map(\.0) == [1, 2, 3, 4])
        #expect(seen.prefix(3).allSatisfy { $0.1 == 42 })
        #expect(tracker.isDone(0))
    }

    struct Click { var user: String; var page: String }

    @Test func pluckByKeyPathKeyAndIndex() {
        let clicks = Stream<Click>(clock: ManualClock())
        let users = clicks.pluck(\.user).sinkToList()
        let pairs = clicks.pluck(\.user, \.page).sinkToList()
        clicks.emit(Click(user: "ann", page: "/a"))
        #expect(users.values == ["ann"])
        #expect(pairs.values.map { "\($0.0)\($0.1)" } == ["ann/a"])

        let dicts = Stream<[String: Int]>(clock: ManualClock())
        let xs = dicts.pluck("x").sinkToList()
        dicts.emit(["x": 1]); dicts.emit(["y": 2])
        #expect(xs.values == [1, nil])

        let arrays = Stream<[Int]>(clock: ManualClock())
        let seconds = arrays.pluck(index: 1).sinkToList()
        arrays.emit([1, 2]); arrays.emit([3])
        #expect(seconds.values == [2, nil])
    }

    @Test func uniqueUnboundedDropsEveryRepeat() {
        let source = Stream<Int>(clock: ManualClock())
        let out = source.unique().sinkToList()
        for x in [1, 2, 1, 3, 2, 1, 4] { source.emit(x) }
        #expect(out.values == [1, 2, 3, 4])
    }

    @Test func uniqueBoundedForgetsTheLeastRecentlySeen() {
        let source = Stream<Int>(clock: ManualClock())
        let out = source.unique(maxSize: 2).sinkToList()
        // 1 2 -> {1,2}; 3 evicts 1 -> {2,3}; 1 is new again, evicts 2 -> {3,1};
        // 3 is a repeat (refreshes 3) -> {1,3}; 2 new, evicts 1.
        for x in [1, 2, 3, 1, 3, 2, 1] { source.emit(x) }
        #expect(out.values == [1, 2, 3, 1, 2, 1])
    }

    @Test func uniqueByKey() {
        let source = Stream<String>(clock: ManualClock())
        let out = source.unique(by: { $0.lowercased() }).sinkToList()
        for x in ["a", "A", "b", "B", "a"] { source.emit(x) }
        #expect(out.values == ["a", "b"])
    }

    @Test func uniqueStateStaysBoundedUnderManyRepeats() {
        var state = UniqueState<Int>(capacity: 3)
        for i in 0..<10_000 { _ = state.admit(i % 5) }
        #expect(state.count == 3)
    }

    @Test func frequenciesCountsRunningly() {
        let source = Stream<String>(clock: ManualClock())
        let out = source.frequencies().sinkToList()
        for x in ["a", "b", "a"] { source.emit(x) }
        #expect(out.values == [["a": 1], ["a": 1, "b": 1], ["a": 2, "b": 1]])
    }

    @Test func sliceByStartEndStepAndDetaches() {
        let source = Stream<Int>(clock: ManualClock())
        let sliced = source.slice(start: 1, end: 7, step: 2)
        let out = sliced.sinkToList()
        for x in 0..<12 { source.emit(x) }
        #expect(out.values == [1, 3, 5])
        #expect(source.downstreams.isEmpty, "slice detaches once past its end")

        let open = Stream<Int>(clock: ManualClock())
        let everyThird = open.slice(step: 3).sinkToList()
        for x in 0..<10 { open.emit(x) }
        #expect(everyThird.values == [0, 3, 6, 9])
    }

    @Test func collectHoldsUntilFlush() {
        let tracker = RecordingTracker()
        let source = Stream<Int>(clock: ManualClock())
        let collector = source.collect()
        let out = collector.sinkToList()
        tracker.emit(1, slot: 1, into: source)
        tracker.emit(2, slot: 2, into: source)
        #expect(out.values.isEmpty)
        #expect(!tracker.isDone(1) && !tracker.isDone(2))
        collector.flush()
        #expect(out.values == [[1, 2]])
        #expect(tracker.isDone(1) && tracker.isDone(2))
        collector.flush()
        #expect(out.values == [[1, 2], []])
    }
}
