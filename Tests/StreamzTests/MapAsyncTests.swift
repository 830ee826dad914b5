import Testing
@testable import Streamz

@Suite struct MapAsyncTests {
    @Test func keepsOrderAndBoundsParallelism() async {
        let clock = ManualClock()
        let gate = Gate()
        let tracker = RecordingTracker()
        let source = Stream<Int>(clock: clock)
        let node = source.mapAsync(parallelism: 2) { (x: Int) async -> Int in
            await gate.wait(x)
            return x * 10
        }
        let out = node.sinkToList()
        #expect(tracker.emit(1, slot: 1, into: source).isReady)
        let second = tracker.emit(2, slot: 2, into: source)
        #expect(!second.isReady, "two in flight: upstream waits")
        #expect(node.inFlight == 2)
        // The second finishes first; the output order is still the input order.
        await gate.open(2)
        await clock.settleWhile { node.inFlight == 2 }
        #expect(out.values.isEmpty)
        #expect(!tracker.isDone(2), "held until emitted in order")
        await gate.open(1)
        await clock.settle()
        #expect(out.values == [10, 20])
        #expect(tracker.done == [1, 2])
        if case .pending(let pending) = second { #expect(pending.isComplete) }
    }

    @Test func runsOnRealCoresWithTheLoopClock() async {
        let clock = LoopClock(label: "map-async")
        let source = Stream<Int>.from(0..<200, clock: clock)
        let out = source.mapAsync(parallelism: 4) { (x: Int) async -> Int in
            var acc = 0
            for i in 0..<1_000 { acc &+= (x &* i) % 7 }
            return acc &* 0 &+ x
        }.sinkToList()
        source.start()
        await source.finished.wait()
        var values: [Int] = []
        for _ in 0..<10_000 {
            values = await clock.perform { out.values }
            if values.count == 200 { break }
            await Task.yield()
        }
        #expect(values == Array(0..<200))
    }
}

@Suite struct ReentrancyTests {
    /// A completion that resumes upstream, which at once feeds the same operator again:
    /// `buffer → mapAsync`, with the buffer draining into mapAsync while mapAsync is
    /// still handing out its results. Found through the Kafka source.
    @Test func mapAsyncBehindABufferSurvivesReentrantResumes() async {
        let clock = ManualClock()
        let source = Stream<Int>(clock: clock)
        let out = source.buffer(1_000).mapAsync(parallelism: 2) { (x: Int) async -> Int in x }.sinkToList()
        for x in 0..<200 { source.emit(x) }
        await clock.settle()
        #expect(out.values == Array(0..<200))
    }
}
