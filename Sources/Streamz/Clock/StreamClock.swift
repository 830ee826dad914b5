/// Time and the executor a graph runs on.
///
/// Every time-based operator takes its clock from the stream it hangs off, and a
/// stream takes its clock from its upstream, so one clock injected at the source
/// drives the whole graph. Tests use `ManualClock`, which never sleeps for real.
///
/// A graph is not thread-safe: it runs on one executor at a time. `schedule`,
/// `execute` and the completion of `runAsync` all run their work on the clock's
/// executor, and code that feeds a graph driven by a `LoopClock` from another thread
/// goes through `execute`.
public protocol StreamClock: AnyObject, Sendable {
    /// Monotonic time since an arbitrary origin.
    var now: Duration { get }

    /// Wall-clock time in milliseconds since the Unix epoch, for processing-time
    /// annotations.
    var wallTimeMillis: Int64 { get }

    /// Runs `work` on the executor once `now` reaches `deadline`.
    @discardableResult
    func schedule(at deadline: Duration, _ work: @escaping () -> Void) -> ScheduledWork

    /// Runs `work` on the executor as soon as possible.
    func execute(_ work: @escaping () -> Void)

    /// Runs `body` off the graph's executor (on the cooperative pool), then
    /// `completion` with its result back on the executor.
    func runAsync<T: Sendable>(
        _ body: @escaping @Sendable () async -> T,
        completion: @escaping (T) -> Void
    )
}

extension StreamClock {
    @discardableResult
    public func schedule(after delay: Duration, _ work: @escaping () -> Void) -> ScheduledWork {
        schedule(at: now + delay, work)
    }
}

/// A handle on scheduled work, to cancel it.
public final class ScheduledWork: @unchecked Sendable {
    // @unchecked: the flag is only read and written on the clock's executor.
    public private(set) var isCancelled = false
    public init() {}
    public func cancel() { isCancelled = true }
}

/// The clock a stream gets when none is injected.
public enum DefaultClock {
    /// One process-wide `LoopClock`: timers of graphs built without an explicit clock
    /// fire on its serial queue.
    public static let shared: LoopClock = LoopClock(label: "streamz.default-loop")
}

/// Moves a value onto the clock's executor. Sound only because the graph is confined
/// to that executor: this is the one place the confinement is asserted to the compiler
/// (package-wide, so the Kafka loop uses it too).
@usableFromInline
package struct ExecutorBound<Value>: @unchecked Sendable {
    @usableFromInline package let value: Value
    @inlinable package init(_ value: Value) { self.value = value }
}
