import Foundation
import Testing
@testable import Streamz

@Suite struct SinkSourceTests {
    @Test func sequenceSourceWaitsForPendingAcknowledgements() async {
        let clock = ManualClock()
        let gate = Gate()
        let source = Stream<Int>.from(1...3, clock: clock)
        let received = Locked<[Int]>([])
        source.sink { (x: Int) async in
            await gate.wait(x)
            received.withLock { $0.append(x) }
        }
        source.start()
        clock.runQueued()
        // The async sink has the first element and is pending: the source waits.
        await clock.settleWhile { await !gate.isWaiting(1) }
        #expect(received.withLock { $0 }.isEmpty)
        await gate.open(1)
        await clock.settleWhile { await !gate.isWaiting(2) }
        #expect(received.withLock { $0 } == [1])
        #expect(!source.finished.isComplete)
        await gate.open(2)
        await gate.open(3)
        await clock.settle()
        #expect(received.withLock { $0 } == [1, 2, 3])
        #expect(source.finished.isComplete)
    }

    @Test func asyncSequenceSource() async {
        let clock = ManualClock()
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let source = Stream<Int>.from(stream, clock: clock)
        let out = source.map { $0 * 2 }.sinkToList()
        source.start()
        clock.runQueued()
        for x in 1...3 { continuation.yield(x) }
        continuation.finish()
        await clock.settleWhile { !source.finished.isComplete }
        #expect(out.values == [2, 4, 6])
    }

    @Test func periodicSourceTicksAndSkipsNil() {
        let clock = ManualClock()
        var counter = 0
        let source = Stream<Int>.fromPeriodic(every: .seconds(1), clock: clock) {
            counter += 1
            return counter == 2 ? nil : counter
        }
        let out = source.sinkToList()
        source.start()
        clock.runQueued()
        clock.advance(by: .seconds(4))
        #expect(out.values == [1, 3, 4])
        source.stop()
        clock.advance(by: .seconds(4))
        #expect(out.values == [1, 3, 4])
    }

    @Test func textFileSinkAndTailSource() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamz-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("lines.txt").path

        let clock = ManualClock()
        let writer = Stream<Int>(clock: clock)
        let file = try writer.sinkToTextFile(path)
        writer.emit(1); writer.emit(2)

        let tail = try Stream<String>.fromTextFile(path, pollInterval: .milliseconds(100), clock: clock)
        let lines = tail.sinkToList()
        tail.start()
        clock.runQueued()
        #expect(lines.values == ["1", "2"])

        writer.emit(3)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("par".utf8))  // a partial line waits for its newline
        clock.advance(by: .milliseconds(100))
        #expect(lines.values == ["1", "2", "3"])
        handle.write(Data("tial\n\u{FF}bad\n".utf8.map { $0 } + [0xFF, 0x0A]))
        try handle.close()
        clock.advance(by: .milliseconds(100))
        #expect(lines.values.prefix(4) == ["1", "2", "3", "partial"])
        #expect(lines.values.count == 6, "invalid UTF-8 is repaired, not dropped")
        file.close()
        tail.stop()
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: StreamzError.self) {
            _ = try Stream<String>.fromTextFile("/nonexistent/streamz/file", clock: ManualClock())
        }
    }

    @Test func loopClockRunsTimersOnItsQueue() async {
        let clock = LoopClock(label: "test-loop")
        let source = Stream<Int>.from(1...100, clock: clock)
        let out = source.partition(10).map { $0.reduce(0, +) }.sinkToList()
        source.start()
        await source.finished.wait()
        let sums = await clock.perform { out.values }
        #expect(sums.reduce(0, +) == 5050)
    }
}

extension ManualClock {
    /// Settles repeatedly while `condition` holds: for tests whose async work waits on
    /// a gate the test opens later.
    func settleWhile(_ condition: () async -> Bool) async {
        var rounds = 0
        while await condition() {
            runQueued()
            await Task.yield()
            rounds += 1
            if rounds > 100_000 { Issue.record("condition never became false"); return }
        }
        runQueued()
    }
}
