/// Calls `produce` every `interval` and emits what it returns (streamz's
/// `from_periodic`). Nil means "nothing this time". A tick waits for the previous
/// emission's acknowledgement, so a slow graph slows the source instead of
/// queueing ticks.
public final class PeriodicSource<Element>: Source<Element> {
    public let interval: Duration
    private let produce: () -> Element?
    private var nextTick: Duration?

    init(interval: Duration, clock: StreamClock, produce: @escaping () -> Element?) {
        precondition(interval > .zero, "fromPeriodic interval must be positive")
        self.interval = interval
        self.produce = produce
        super.init(name: "fromPeriodic", clock: clock)
    }

    public override func run() {
        let tick = nextTick ?? (clock.now + interval)
        nextTick = tick
        clock.schedule(at: tick) { [weak self] in
            guard let self, self.isRunning else { return }
            self.nextTick = Swift.max(tick + self.interval, self.clock.now)
            guard let element = self.produce() else { return self.run() }
            self.resume(after: self.emit(element))
        }
    }
}

extension Stream {
    /// A source that emits `produce()` every `interval`; call `start()`.
    public static func fromPeriodic(
        every interval: Duration, clock: StreamClock = DefaultClock.shared,
        _ produce: @escaping () -> Element?
    ) -> PeriodicSource<Element> {
        PeriodicSource(interval: interval, clock: clock, produce: produce)
    }
}
