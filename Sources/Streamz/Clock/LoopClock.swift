import Dispatch
import Foundation

/// A real clock whose executor is one serial dispatch queue: the graph's loop.
///
/// Timers, `execute` and async completions all run on that queue, so a graph driven
/// by a `LoopClock` must be fed on it too (sources do this themselves; other code
/// uses `execute`).
public final class LoopClock: StreamClock, @unchecked Sendable {
    // @unchecked: the stored properties are immutable; DispatchQueue is thread-safe.
    public let queue: DispatchQueue
    private let origin = ContinuousClock.now

    public init(label: String = "streamz.loop") {
        self.queue = DispatchQueue(label: label)
    }

    public var now: Duration { ContinuousClock.now - origin }

    public var wallTimeMillis: Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    @discardableResult
    public func schedule(at deadline: Duration, _ work: @escaping () -> Void) -> ScheduledWork {
        let handle = ScheduledWork()
        let work = ExecutorBound(work)
        let delay = deadline - now
        let nanoseconds = max(0, Int(delay.components.seconds) * 1_000_000_000
            + Int(delay.components.attoseconds / 1_000_000_000))
        queue.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) {
            if !handle.isCancelled { work.value() }
        }
        return handle
    }

    public func execute(_ work: @escaping () -> Void) {
        let work = ExecutorBound(work)
        queue.async { work.value() }
    }

    public func runAsync<T: Sendable>(
        _ body: @escaping @Sendable () async -> T,
        completion: @escaping (T) -> Void
    ) {
        let completion = ExecutorBound(completion)
        Task {
            let result = await body()
            self.queue.async { completion.value(result) }
        }
    }

    /// Runs `body` on the loop and returns its result to an async caller.
    public func perform<T: Sendable>(_ body: @escaping () -> T) async -> T {
        let body = ExecutorBound(body)
        return await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body.value()) }
        }
    }
}
