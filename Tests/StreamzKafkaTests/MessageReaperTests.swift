import Foundation
import Testing
@testable import StreamzKafka

/// Records what was freed, and on which thread.
private final class FreeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var freed: [Int] = []
    private var onCaller = 0
    let caller = Thread.current

    func free(_ element: Int) {
        lock.withLock {
            freed.append(element)
            if Thread.current === caller { onCaller += 1 }
        }
    }

    var elements: [Int] { lock.withLock { freed } }
    var freedOnCaller: Int { lock.withLock { onCaller } }
}

@Suite struct MessageReaperTests {
    @Test func freesEveryElementOnceOffTheCallersThread() {
        let log = FreeLog()
        let reaper = MessageReaper<Int>(name: "test-reaper", batchSize: 8) { log.free($0) }
        for element in 0..<1_000 { reaper.release(element) }
        reaper.drain()
        #expect(log.elements.sorted() == Array(0..<1_000))
        #expect(log.freedOnCaller == 0)
        reaper.stop()
    }

    @Test func aPartBatchWaitsForItsHandOver() {
        let log = FreeLog()
        let reaper = MessageReaper<Int>(name: "test-reaper", batchSize: 8) { log.free($0) }
        for element in 0..<5 { reaper.release(element) }
        Thread.sleep(forTimeInterval: 0.05)
        #expect(log.elements.isEmpty, "under a batch, nothing is handed over yet")
        reaper.drain()
        #expect(log.elements.sorted() == Array(0..<5))
        reaper.stop()
    }

    @Test func aReaperFallingBehindMakesTheCallerFreeInstead() {
        let log = FreeLog()
        let started = DispatchSemaphore(value: 0), gate = DispatchSemaphore(value: 0)
        let reaper = MessageReaper<Int>(name: "test-reaper", batchSize: 4, maxWaiting: 8) { element in
            if element == 0 {  // the reaper gets stuck on its first batch
                started.signal()
                gate.wait()
            }
            log.free(element)
        }
        for element in 0..<4 { reaper.release(element) }
        started.wait()  // the reaper took that batch: its inbox is empty again
        for element in 4..<40 { reaper.release(element) }
        #expect(log.freedOnCaller == 28, "8 may wait for the reaper; the rest are freed by the caller")
        gate.signal()
        reaper.drain()
        #expect(log.elements.sorted() == Array(0..<40))
        reaper.stop()
    }

    @Test func afterStopReleasesAreFreedByTheCaller() {
        let log = FreeLog()
        let reaper = MessageReaper<Int>(name: "test-reaper", batchSize: 2) { log.free($0) }
        for element in 0..<3 { reaper.release(element) }
        reaper.stop()
        #expect(log.elements.sorted() == [0, 1, 2])
        for element in 3..<6 { reaper.release(element) }
        reaper.handOver()
        #expect(log.elements.sorted() == Array(0..<6))
        #expect(log.freedOnCaller == 3)
    }
}
