/// Every `interval`, emits an array of what arrived since the last one, empty
/// arrays included (streamz's `timed_window`). The collected elements keep their
/// origins held until the array is acknowledged; while it is pending, upstream gets
/// `.pending` and the next tick waits.
public final class TimedWindowNode<Element>: Stream<[Element]> {
    public let interval: Duration
    private var window: [Element] = []
    private var held = HeldOrigins()
    private let group = OriginGroup()
    private let upstream = UpstreamWaiters()
    private var blocked = false
    private var nextTick: Duration

    init(upstream source: Stream<Element>, interval: Duration) {
        precondition(interval > .zero, "timedWindow interval must be positive")
        self.interval = interval
        self.nextTick = source.clock.now + interval
        super.init(name: "timedWindow", upstream: source)
        source.subscribe(self) { element, annotation in
            self.window.append(element)
            self.held.hold(annotation)
            return self.blocked ? self.upstream.pending() : .ready
        }
        armTimer()
    }

    private func armTimer() {
        clock.schedule(at: nextTick) { [weak self] in self?.tick() }
    }

    private func tick() {
        let batch = window
        window = []
        let ack = emit(batch, releasing: &held, through: group)
        nextTick += interval
        guard case .pending(let pending) = ack else { return armTimer() }
        blocked = true
        pending.whenComplete { [weak self] in
            guard let self else { return }
            self.blocked = false
            self.upstream.resume()
            self.nextTick = max(self.nextTick, self.clock.now)
            self.armTimer()
        }
    }
}

extension Stream {
    /// Arrays of what arrived in each `interval` (streamz's `timed_window`).
    public final func timedWindow(_ interval: Duration) -> TimedWindowNode<Element> {
        TimedWindowNode(upstream: self, interval: interval)
    }
}
