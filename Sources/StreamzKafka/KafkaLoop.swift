import CRdKafka
import Foundation
import Streamz

/// What a `KafkaLoop` polls between its own work: the consumer.
protocol KafkaLoopPoller: AnyObject {
    /// Polls for up to `timeoutMilliseconds`, handling what arrives (on the loop
    /// thread). Returns false without blocking when it does not want to poll now
    /// (back pressure); the loop then waits for work instead.
    func poll(timeoutMilliseconds: Int32) -> Bool
    /// Makes a blocked `poll` return now (called from any thread).
    func wakeUp()
}

/// The executor and clock of a Kafka pipeline: one dedicated thread that runs the
/// graph's queued work and timers and, in between, polls the consumer.
///
/// Records are emitted into the graph on the thread that polled them, with no hop.
/// Work from other threads (delivery reports, async sinks) goes through `execute`,
/// which wakes a blocked poll with `rd_kafka_queue_yield`, so nothing waits out a
/// poll interval. The blocking poll runs on this thread, never on Swift's
/// cooperative pool.
public final class KafkaLoop: StreamClock, @unchecked Sendable {
    // @unchecked: the mutable state is behind `condition`; `poller` is set before the
    // thread first polls and then only read on the loop thread.
    private struct Timer: Comparable {
        let deadline: Duration
        let sequence: Int
        let handle: ScheduledWork
        let work: ExecutorBound<() -> Void>
        static func < (a: Timer, b: Timer) -> Bool { (a.deadline, a.sequence) < (b.deadline, b.sequence) }
        static func == (a: Timer, b: Timer) -> Bool { a.sequence == b.sequence }
    }

    private let condition = NSCondition()
    private var queued: [ExecutorBound<() -> Void>] = []
    private var timers = MinHeap<Timer>()
    private var sequence = 0
    private var stopping = false
    private var finished = false
    private var thread: Thread?
    private let origin = ContinuousClock.now
    weak var poller: (any KafkaLoopPoller)?
    /// Non-blocking work run every turn on the loop thread: producers serving their
    /// delivery reports. Registered before the loop polls (on the loop thread).
    private var servers: [ExecutorBound<() -> Void>] = []
    /// The longest a poll blocks when nothing is due: bounds shutdown latency.
    let maxPollMilliseconds: Int32 = 100

    public init(name: String = "streamz-loop") {
        let threadName = String(name.prefix(15))  // Linux drops longer thread names
        let thread = Thread { [unowned self] in
            // Foundation's Thread.name does not reach the kernel on Linux: set it here,
            // on the thread, so per-thread CPU reports and `top -H` can name the loop.
            #if os(Linux)
            streamz_name_this_thread(threadName)
            #endif
            self.run()
        }
        thread.name = threadName
        self.thread = thread
        thread.start()
    }

    public var now: Duration { ContinuousClock.now - origin }

    public var wallTimeMillis: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// True on the loop's own thread.
    public var isCurrent: Bool { Thread.current === thread }

    @discardableResult
    public func schedule(at deadline: Duration, _ work: @escaping () -> Void) -> ScheduledWork {
        let handle = ScheduledWork()
        condition.lock()
        sequence += 1
        timers.push(Timer(deadline: deadline, sequence: sequence, handle: handle, work: ExecutorBound(work)))
        condition.signal()
        condition.unlock()
        if !isCurrent { poller?.wakeUp() }
        return handle
    }

    public func execute(_ work: @escaping () -> Void) {
        condition.lock()
        // A loop that has ended runs late work on the caller's thread: nothing else
        // can run the graph any more, and queueing it would leave a `perform` (or a
        // completion someone waits for) hanging forever.
        if finished {
            condition.unlock()
            return work()
        }
        queued.append(ExecutorBound(work))
        condition.signal()
        condition.unlock()
        if !isCurrent { poller?.wakeUp() }
    }

    public func runAsync<T: Sendable>(_ body: @escaping @Sendable () async -> T, completion: @escaping (T) -> Void) {
        let completion = ExecutorBound(completion)
        Task {
            let result = await body()
            self.execute { completion.value(result) }
        }
    }

    /// Runs `body` on the loop and returns its result.
    public func perform<T: Sendable>(_ body: @escaping () -> T) async -> T {
        let body = ExecutorBound(body)
        return await withCheckedContinuation { continuation in
            execute { continuation.resume(returning: body.value()) }
        }
    }

    /// Runs `serve` on every turn of the loop, from now on (any thread).
    func addServer(_ serve: @escaping () -> Void) {
        condition.lock()
        servers.append(ExecutorBound(serve))
        condition.unlock()
    }

    /// Wakes the loop from any thread: a blocked poll returns, a waiting loop runs.
    func wake() {
        condition.lock()
        condition.signal()
        condition.unlock()
        poller?.wakeUp()
    }

    /// Stops the thread after the work in hand; waits for it to end.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
        poller?.wakeUp()
        condition.lock()
        while !finished && !isCurrent { _ = condition.wait(until: Date().addingTimeInterval(0.1)) }
        condition.unlock()
    }

    /// On the loop thread: runs queued work and due timers until `done()` or the
    /// timeout (a rebalance waiting for its sinks' acknowledgements, say).
    /// Returns whether `done()` became true.
    @discardableResult
    package func runUntil(timeout: Duration, _ done: () -> Bool) -> Bool {
        precondition(isCurrent, "runUntil runs on the loop thread")
        let deadline = now + timeout
        while !done() {
            if now >= deadline { return false }
            if !runPending() {
                condition.lock()
                if queued.isEmpty { _ = condition.wait(until: Date().addingTimeInterval(0.005)) }
                condition.unlock()
            }
        }
        return true
    }

    private func run() {
        while true {
            condition.lock()
            let stop = stopping
            condition.unlock()
            if stop { break }
            if runPending() { continue }
            let wait = untilNextTimer()
            if let poller, poller.poll(timeoutMilliseconds: wait) {
                continue
            } else {
                condition.lock()
                if queued.isEmpty && !stopping {
                    _ = condition.wait(until: Date().addingTimeInterval(Double(wait) / 1000))
                }
                condition.unlock()
            }
        }
        runPending()
        condition.lock()
        finished = true
        let late = queued
        queued = []
        condition.broadcast()
        condition.unlock()
        for work in late { work.value() }
    }

    /// Runs queued work and due timers once; returns whether anything ran.
    @discardableResult
    private func runPending() -> Bool {
        condition.lock()
        let work = queued
        let servers = self.servers
        queued = []
        var due: [Timer] = []
        let current = now
        while let first = timers.min, first.deadline <= current { due.append(timers.pop()!) }
        condition.unlock()
        for server in servers { server.value() }
        for item in work { item.value() }
        for timer in due where !timer.handle.isCancelled { timer.work.value() }
        return !work.isEmpty || !due.isEmpty
    }

    private func untilNextTimer() -> Int32 {
        condition.lock()
        defer { condition.unlock() }
        guard let first = timers.min else { return maxPollMilliseconds }
        // Rounded up: a wait under a millisecond rounded down to 0 would spin the loop
        // on zero-timeout polls until the timer is due.
        let remaining = first.deadline - now
        let milliseconds = remaining <= .zero ? 0 : (remaining + .nanoseconds(999_999)).milliseconds
        return Int32(max(0, min(Int64(maxPollMilliseconds), milliseconds)))
    }
}

