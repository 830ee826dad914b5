import CRdKafka
import Foundation

/// Frees consumed messages on a thread of its own, in batches.
///
/// Why: librdkafka's fetcher thread allocates every consumed message, so with glibc's
/// malloc, freeing one on the polling thread takes the lock of the fetcher's arena,
/// the lock the fetcher takes for its next allocation. At a million records a second
/// the polling thread slept on that lock about 7,000 times a second, a quarter of its
/// wall time (perf sched_switch, in `rd_kafka_message_destroy`). Handed over here, one
/// lock per batch, those waits fall on a thread that nothing waits for.
///
/// Generic over what it frees so that tests can count; the consumer frees messages.
/// Its thread keeps it alive until `stop()`, which its owner must call.
final class MessageReaper<Element>: @unchecked Sendable {
    // @unchecked: `inbox`, `busy`, `stopping` and `finished` are behind `condition`;
    // `pending` belongs to the one thread that calls `release` and `handOver`.
    private let free: (Element) -> Void
    private let condition = NSCondition()
    private var inbox: [Element] = []
    private var busy = false
    private var stopping = false
    private var finished = false
    @exclusivity(unchecked) private var pending: [Element] = []
    /// Released elements handed over at once: one lock per batch.
    let batchSize: Int
    /// The most elements waiting for the reaper. Past it `handOver` frees them itself,
    /// so a reaper that falls behind bounds the memory (fetch buffers) they pin.
    let maxWaiting: Int

    init(name: String, batchSize: Int = 256, maxWaiting: Int = 16_384, free: @escaping (Element) -> Void) {
        self.free = free
        self.batchSize = batchSize
        self.maxWaiting = maxWaiting
        pending.reserveCapacity(batchSize)
        let threadName = String(name.prefix(15))
        let thread = Thread { [self] in
            #if os(Linux)
            streamz_name_this_thread(threadName)
            #endif
            run()
        }
        thread.name = threadName
        thread.start()
    }

    /// Queues `element` to be freed; hands a full batch over.
    func release(_ element: Element) {
        pending.append(element)
        if pending.count >= batchSize { handOver() }
    }

    /// Hands what `release` queued to the reaper now.
    func handOver() {
        guard !pending.isEmpty else { return }
        condition.lock()
        guard !stopping, inbox.count < maxWaiting else {
            condition.unlock()
            for element in pending { free(element) }
            pending.removeAll(keepingCapacity: true)
            return
        }
        if inbox.isEmpty {
            swap(&inbox, &pending)  // the buffers rotate: no allocation
        } else {
            inbox.append(contentsOf: pending)
            pending.removeAll(keepingCapacity: true)
        }
        condition.signal()
        condition.unlock()
    }

    /// Returns once everything released so far is freed.
    func drain() {
        handOver()
        condition.lock()
        while !inbox.isEmpty || busy { condition.wait() }
        condition.unlock()
    }

    /// Frees everything released so far and ends the thread; later releases are freed
    /// by `handOver` on the caller's thread.
    func stop() {
        drain()
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func run() {
        var batch: [Element] = []
        condition.lock()
        while true {
            while inbox.isEmpty && !stopping { condition.wait() }
            if inbox.isEmpty { break }
            swap(&batch, &inbox)
            busy = true
            condition.unlock()
            for element in batch { free(element) }
            batch.removeAll(keepingCapacity: true)
            condition.lock()
            busy = false
            condition.broadcast()  // wakes `drain`
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
