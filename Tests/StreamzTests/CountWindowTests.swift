import Testing
@testable import Streamz

@Suite struct CountWindowTests {
    @Test func partitionEmitsFullBatches() {
        let source = Stream<Int>(clock: ManualClock())
        let out = source.partition(3).sinkToList()
        for x in 1...8 { source.emit(x) }
        #expect(out.values == [[1, 2, 3], [4, 5, 6]])
    }

    @Test func partitionTimeoutFlushesAPartialBatch() {
        let clock = ManualClock()
        let source = Stream<Int>(clock: clock)
        let out = source.partition(3, timeout: .seconds(1)).sinkToList()
        source.emit(1)
        clock.advance(by: .milliseconds(500))
        source.emit(2)
        #expect(out.values.isEmpty)
        clock.advance(by: .milliseconds(500))  // one second after the batch opened
        #expect(out.values == [[1, 2]])
        // A full batch cancels its timeout in effect: the next batch has its own.
        for x in 3...5 { source.emit(x) }
        #expect(out.values == [[1, 2], [3, 4, 5]])
        clock.advance(by: .seconds(5))
        #expect(out.values == [[1, 2], [3, 4, 5]])
        source.emit(6)
        clock.advance(by: .seconds(1))
        #expect(out.values == [[1, 2], [3, 4, 5], [6]])
    }

    @Test func keyedPartitionKeepsABufferPerKey() {
        let clock = ManualClock()
        let source = Stream<Int>(clock: clock)
        let node = source.partition(2, timeout: .seconds(1), key: { $0 % 2 })
        let out = node.sinkToList()
        for x in [1, 2, 3, 5, 4] { source.emit(x) }
        #expect(out.values == [[1, 3], [2, 4]])
        clock.advance(by: .seconds(1))
        #expect(out.values == [[1, 3], [2, 4], [5]])
        source.emit(7)
        node.flush()
        #expect(out.values.last == [7])
    }

    @Test func slidingWindowWithAndWithoutPartials() {
        let source = Stream<Int>(clock: ManualClock())
        let partial = source.slidingWindow(3).sinkToList()
        let full = source.slidingWindow(3, returnPartial: false).sinkToList()
        for x in 1...5 { source.emit(x) }
        #expect(partial.values == [[1], [1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]])
        #expect(full.values == [[1, 2, 3], [2, 3, 4], [3, 4, 5]])
    }

    @Test func slidingWindowArraysKeptDownstreamAreNotOverwritten() {
        let source = Stream<Int>(clock: ManualClock())
        var kept: [[Int]] = []
        source.slidingWindow(2).sink { kept.append($0) }
        for x in 1...4 { source.emit(x) }
        #expect(kept == [[1], [1, 2], [2, 3], [3, 4]])
    }
}
