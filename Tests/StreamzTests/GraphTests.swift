import Testing
@testable import Streamz

@Suite struct GraphTests {
    @Test func branchingFeedsEveryDownstream() {
        let source = Stream<Int>(clock: ManualClock())
        let doubled = source.map { $0 * 2 }.sinkToList()
        let negated = source.map { -$0 }.sinkToList()
        source.emit(1); source.emit(2)
        #expect(doubled.values == [2, 4])
        #expect(negated.values == [-1, -2])
        #expect(source.downstreams.count == 2)
    }

    @Test func connectAndDisconnect() {
        let clock = ManualClock()
        let a = Stream<Int>(clock: clock), b = Stream<Int>(clock: clock)
        let out = b.sinkToList()
        a.connect(b)
        a.emit(1)
        #expect(b.upstreams.count == 1)
        a.disconnect(b)
        a.emit(2)
        b.emit(3)
        #expect(out.values == [1, 3])
        #expect(b.upstreams.isEmpty)
        #expect(a.downstreams.isEmpty)
    }

    @Test func destroyDetachesFromEveryUpstream() {
        let clock = ManualClock()
        let a = Stream<Int>(clock: clock), b = Stream<Int>(clock: clock)
        let merged = a.union(b)
        let out = merged.sinkToList()
        a.emit(1)
        merged.destroy()
        a.emit(2); b.emit(3)
        #expect(out.values == [1])
    }

    @Test func aSinkCanBeDestroyed() {
        let source = Stream<Int>(clock: ManualClock())
        var seen: [Int] = []
        let sink = source.sink { seen.append($0) }
        source.emit(1)
        sink.destroy()
        source.emit(2)
        #expect(seen == [1])
    }

    /// The seed's Fibonacci example: a sliding window of two, summed, fed back into
    /// the source through a rate limit.
    @Test func fibonacciFeedbackLoop() {
        let clock = ManualClock()
        let source = Stream<Int>(clock: clock)
        let sums = source.slidingWindow(2, returnPartial: false).map { $0.reduce(0, +) }
        let list = sums.sinkToList()
        sums.rateLimit(.milliseconds(500)).connect(source)
        source.emit(0)
        source.emit(1)
        for _ in 0..<8 { clock.advance(by: .milliseconds(500)) }
        #expect(Array(list.values.prefix(10)) == [1, 2, 3, 5, 8, 13, 21, 34, 55, 89])
    }

    /// The same loop with a plain sink calling `emit`, as the seed writes it.
    @Test func fibonacciThroughASink() {
        let clock = ManualClock()
        let source = Stream<Int>(clock: clock)
        let sums = source.slidingWindow(2, returnPartial: false).map { $0.reduce(0, +) }
        let list = sums.sinkToList()
        sums.rateLimit(.milliseconds(500)).sink { source.emit($0) }
        source.emit(0)
        source.emit(1)
        clock.advance(by: .seconds(2))
        #expect(Array(list.values.prefix(6)) == [1, 2, 3, 5, 8, 13])
    }

    /// The README's example, verbatim in substance.
    @Test func readmeExample() {
        let clock = ManualClock()
        let source = Stream<Int>(clock: clock)
        let sums = source.map { $0 + 1 }.filter { $0 % 2 == 0 }.accumulate(0, +).sinkToList()
        for x in 1...5 { source.emit(x) }
        #expect(sums.values == [2, 6, 12])
        let batches = source.partition(100, timeout: .seconds(1)).sinkToList()
        let perSecond = source.timedWindow(.seconds(1)).map { $0.count }.sinkToList()
        let fib = Stream<Int>(clock: clock)
        let next = fib.slidingWindow(2, returnPartial: false).map { $0.reduce(0, +) }
        let numbers = next.sinkToList()
        next.rateLimit(.milliseconds(500)).connect(fib)
        fib.emit(0); fib.emit(1)
        clock.advance(by: .seconds(3))
        #expect(numbers.values == [1, 2, 3, 5, 8, 13, 21, 34])
        #expect(batches.values.isEmpty)
        #expect(perSecond.values == [0, 0, 0])
    }

    @Test func derivedStreamsShareTheSourceClock() {
        let clock = ManualClock()
        let source = Stream<Int>(clock: clock)
        let derived = source.map { $0 }.filter { _ in true }.partition(2)
        #expect(derived.clock === clock)
    }

    @Test func aGraphIsFreedWithItsSource() {
        weak var weakNode: Stream<Int>?
        do {
            let source = Stream<Int>(clock: ManualClock())
            let node = source.map { $0 + 1 }
            weakNode = node
            _ = node.sinkToList()
            source.emit(1)
            #expect(weakNode != nil)
        }
        #expect(weakNode == nil)
    }
}
