/// A stream that produces elements by itself once started, pacing itself by the
/// acknowledgements it gets back: it emits the next element only when the last one
/// is acknowledged (back pressure reaches all the way here).
open class Source<Element>: Stream<Element> {
    @exclusivity(unchecked) public private(set) final var isRunning = false
    /// Completes when the source has nothing more to emit, or was stopped.
    public final let finished = PendingAck()

    /// Starts emitting, on the clock's executor.
    public final func start() {
        if isRunning || finished.isComplete { return }
        isRunning = true
        clock.execute { [weak self] in self?.run() }
    }

    /// Stops after the element being emitted, if any. Sources call it themselves when
    /// they run out.
    public final func stop() {
        isRunning = false
        finished.complete()
    }

    /// Produces elements. Subclasses emit, and when an emission is pending they call
    /// `resume(after:)` and return.
    open func run() {}

    /// Calls `run()` again once `ack` is ready (at once if it is).
    public final func resume(after ack: Ack) {
        ack.whenReady { [weak self] in
            guard let self, self.isRunning else { return }
            self.clock.execute { [weak self] in
                guard let self, self.isRunning else { return }
                self.run()
            }
        }
    }

}
