/// The watermark of a pipeline, shared by the operators that feed it (event-time
/// assignment, per partition) and those that read it (windows).
///
/// Partition idleness is checked on the clock every quarter of the idle timeout;
/// when that moves the watermark, the listeners hear of it, so windows close even
/// though no record arrived.
public final class Watermarks {
    // Unchecked: a graph runs on one executor, and the per-record reads of `current`
    // would otherwise pay a run-time exclusivity check each.
    @exclusivity(unchecked) public private(set) var state: WatermarkState
    public let clock: StreamClock
    private var listeners: [(Int64) -> Void] = []
    private var idleCheckArmed = false

    public init(maxOutOfOrder: Duration = .zero, idleTimeout: Duration = .seconds(30), clock: StreamClock = DefaultClock.shared) {
        self.state = WatermarkState(maxOutOfOrderMillis: maxOutOfOrder.milliseconds,
                                    idleTimeoutMillis: max(1, idleTimeout.milliseconds))
        self.clock = clock
    }

    /// The pipeline watermark, epoch ms, or `Annotation.noTime` before any record.
    @inlinable public var current: Int64 { state.watermark }

    /// Records an event time seen on `partition`; returns the pipeline watermark.
    @discardableResult
    public func observe(_ eventTime: Int64, partition: Int = 0) -> Int64 {
        if !idleCheckArmed { armIdleCheck() }
        return state.observe(eventTime, partition: partition)
    }

    public func assign(_ partition: Int) {
        state.assign(partition, now: clock.now.milliseconds)
        if !idleCheckArmed { armIdleCheck() }
    }

    public func revoke(_ partition: Int) {
        let before = state.watermark
        state.revoke(partition)
        notifyIfAdvanced(from: before)
    }

    /// Replaces the state with a checkpointed one.
    public func restore(_ saved: WatermarkState) {
        state = saved
    }

    /// Raises the watermark to at least `floor`.
    public func raise(to floor: Int64) {
        let before = state.watermark
        state.raise(to: floor)
        notifyIfAdvanced(from: before)
    }

    /// Calls `listener` with the new watermark whenever it moves without a record
    /// (idle partitions, revocations).
    public func onAdvance(_ listener: @escaping (Int64) -> Void) {
        listeners.append(listener)
    }

    private func armIdleCheck() {
        idleCheckArmed = true
        let period = Duration.milliseconds(max(1, state.idleTimeoutMillis / 4))
        clock.schedule(after: period) { [weak self] in
            guard let self else { return }
            let before = self.state.watermark
            self.state.markIdle(now: self.clock.now.milliseconds)
            self.notifyIfAdvanced(from: before)
            self.armIdleCheck()
        }
    }

    private func notifyIfAdvanced(from before: Int64) {
        guard state.watermark != before else { return }
        for listener in listeners { listener(state.watermark) }
    }
}
