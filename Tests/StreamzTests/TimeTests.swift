import Testing
@testable import Streamz

@Suite struct TimeTests {
    @Test func manualClockFiresTimersInDeadlineOrderAtTheirTimes() {
        let clock = ManualClock()
        var fired: [(String, Duration)] = []
        clock.schedule(after: .seconds(2)) { fired.append(("b", clock.now)) }
        clock.schedule(after: .seconds(1)) {
            fired.append(("a", clock.now))
            clock.schedule(after: .milliseconds(500)) { fired.append(("nested", clock.now)) }
        }
        let cancelled = clock.schedule(after: .seconds(1)) { fired.append(("cancelled", clock.now)) }
        cancelled.cancel()
        clock.advance(by: .milliseconds(999))
        #expect(fired.isEmpty)
        clock.advance(by: .seconds(5))
        #expect(fired.map(\.0) == ["a", "nested", "b"])
        #expect(fired.map(\.1) == [.seconds(1), .milliseconds(1500), .seconds(2)])
        #expect(clock.now == .milliseconds(5999))
    }

    @Test func timedWindowEmitsEveryIntervalIncludingEmptyOnes() {
        let clock = ManualClock()
        let source = Stream<Int>(clock: clock)
        let out = source.timedWindow(.seconds(1)).sinkToList()
        source.emit(1); source.emit(2)
        clock.advance(by: .seconds(1))
        clock.advance(by: .seconds(1))
        source.emit(3)
        clock.advance(by: .milliseconds(999))
        #expect(out.values == [[1, 2], []])
        clock.advance(by: .milliseconds(1))
        #expect(out.values == [[1, 2], [], [3]])
    }

    @Test func rateLimitSpacesEmissionsAndMakesUpstreamWait() {
        let clock = ManualClock()
        let source = Stream<Int>(clock: clock)
        var times: [(Int, Duration)] = []
        source.rateLimit(.seconds(1)).sink { times.append(($0, clock.now)) }
        let first = source.emit(1)
        #expect(times.map(\.0) == [1], "the first element goes at once")
        #expect(!first.isReady, "but upstream waits out the interval")
        source.emit(2)  // an impatient upstream: queued, not dropped
        source.emit(3)
        clock.advance(by: .milliseconds(999))
        #expect(times.map(\.0) == [1])
        clock.advance(by: .milliseconds(1))
        #expect(times.map(\.0) == [1, 2])
        clock.advance(by: .seconds(1))
        #expect(times.map(\.0) == [1, 2, 3])
        #expect(times.map(\.1) == [.zero, .seconds(1), .seconds(2)])
        first.whenReady {}  // completed by now
        if case .pending(let pending) = first { #expect(pending.isComplete) }
    }

    @Test func delayHoldsEachElementForTheInterval() {
        let clock = ManualClock()
        let source = Stream<Int>(clock: clock)
        var times: [(Int, Duration)] = []
        source.delay(.seconds(2)).sink { times.append(($0, clock.now)) }
        source.emit(1)
        clock.advance(by: .seconds(1))
        source.emit(2)
        clock.advance(by: .seconds(1))
        #expect(times.map(\.0) == [1])
        clock.advance(by: .seconds(1))
        #expect(times.map(\.0) == [1, 2])
        #expect(times.map(\.1) == [.seconds(2), .seconds(3)])
    }

    @Test func bufferPassesThroughAFastDownstream() {
        let source = Stream<Int>(clock: ManualClock())
        let out = source.buffer(2).sinkToList()
        for x in 1...5 { #expect(source.emit(x).isReady) }
        #expect(out.values == [1, 2, 3, 4, 5])
    }

    @Test func latestDropsStaleValuesWhileDownstreamIsBusy() async {
        let clock = ManualClock()
        let gate = Gate()
        let source = Stream<Int>(clock: clock)
        let received = Locked<[Int]>([])
        source.latest().sink { (x: Int) async in
            await gate.wait(x)
            received.withLock { $0.append(x) }
        }
        for x in 1...4 { #expect(source.emit(x).isReady, "latest never makes upstream wait") }
        await gate.open(1)
        await gate.open(4)
        await clock.settle()
        #expect(received.withLock { $0 } == [1, 4])
    }
}
