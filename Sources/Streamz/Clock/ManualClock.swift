

/// A clock whose time moves only when a test moves it.
///
/// `advance(by:)` runs every timer that falls due, in deadline order, with `now` set
/// to each timer's deadline while it runs, so operators see exactly the times they
/// asked for. Work handed over from other threads (`execute`, `runAsync`
/// completions) waits in a queue until the test runs it with `runQueued()` or
/// `settle()`.
public final class ManualClock: StreamClock, @unchecked Sendable {
    // @unchecked: every mutable field is behind `state`'s lock.
    private struct Timer {
        let deadline: Duration
        let sequence: Int
        let handle: ScheduledWork
        let work: ExecutorBound<() -> Void>
    }
    private struct State {
        var now: Duration = .zero
        var timers: [Timer] = []
        var sequence = 0
        var queued: [ExecutorBound<() -> Void>] = []
        var asyncInFlight = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Locked(State())
    private let wallOrigin: Int64

    /// - Parameter wallTimeOrigin: what `wallTimeMillis` reads at `now == .zero`.
    public init(wallTimeOrigin: Int64 = 0) {
        self.wallOrigin = wallTimeOrigin
    }

    public var now: Duration { state.withLock { $0.now } }

    public var wallTimeMillis: Int64 {
        let (seconds, attoseconds) = now.components
        return wallOrigin + seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    @discardableResult
    public func schedule(at deadline: Duration, _ work: @escaping () -> Void) -> ScheduledWork {
        let handle = ScheduledWork()
        state.withLock { state in
            state.sequence += 1
            state.timers.append(Timer(deadline: deadline, sequence: state.sequence,
                                      handle: handle, work: ExecutorBound(work)))
        }
        return handle
    }

    public func execute(_ work: @escaping () -> Void) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.queued.append(ExecutorBound(work))
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    public func runAsync<T: Sendable>(
        _ body: @escaping @Sendable () async -> T,
        completion: @escaping (T) -> Void
    ) {
        state.withLock { $0.asyncInFlight += 1 }
        let completion = ExecutorBound(completion)
        Task {
            let result = await body()
            self.execute {
                self.state.withLock { $0.asyncInFlight -= 1 }
                completion.value(result)
            }
        }
    }

    /// Moves time forward, firing due timers in order (including timers that the
    /// fired work schedules, if they fall due too). Queued work runs first.
    public func advance(by delta: Duration) {
        advance(to: now + delta)
    }

    public func advance(to target: Duration) {
        runQueued()
        while let timer = popDueTimer(notAfter: target) {
            state.withLock { $0.now = Swift.max($0.now, timer.deadline) }
            if !timer.handle.isCancelled { timer.work.value() }
            runQueued()
        }
        state.withLock { $0.now = Swift.max($0.now, target) }
    }

    /// Runs the work queued by `execute` (and whatever that work queues in turn).
    public func runQueued() {
        while true {
            let batch = state.withLock { state -> [ExecutorBound<() -> Void>] in
                defer { state.queued = [] }
                return state.queued
            }
            if batch.isEmpty { return }
            for work in batch { work.value() }
        }
    }

    /// Waits for every `runAsync` body in flight to finish, running queued work as it
    /// arrives, until nothing is queued or in flight. Time does not move.
    public func settle() async {
        while true {
            runQueued()
            let idle = state.withLock { $0.asyncInFlight == 0 && $0.queued.isEmpty }
            if idle { return }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if !state.queued.isEmpty { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    private func popDueTimer(notAfter target: Duration) -> Timer? {
        state.withLock { state -> Timer? in
            var best: Int?
            for (index, timer) in state.timers.enumerated() where timer.deadline <= target {
                if let current = best {
                    let other = state.timers[current]
                    if (timer.deadline, timer.sequence) < (other.deadline, other.sequence) { best = index }
                } else {
                    best = index
                }
            }
            guard let index = best else { return nil }
            return state.timers.remove(at: index)
        }
    }
}
