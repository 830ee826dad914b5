/// When `rateLimit` may emit next.
public struct RateLimitState {
    public let interval: Duration
    public private(set) var nextAllowed: Duration?

    public init(interval: Duration) {
        precondition(interval >= .zero, "rateLimit interval must not be negative")
        self.interval = interval
    }

    public func canEmit(at now: Duration) -> Bool {
        nextAllowed.map { now >= $0 } ?? true
    }

    /// Records an emission at `now`; returns when the next one may happen.
    public mutating func emitted(at now: Duration) -> Duration {
        let next = now + interval
        nextAllowed = next
        return next
    }
}

/// At most one element per `interval` (streamz's `rate_limit`).
///
/// An element that may go at once goes at once; the acknowledgement upstream gets
/// stays pending until the interval has passed and downstream has acknowledged, so
/// a source that waits for it paces itself without queueing. Elements that arrive
/// early anyway (from several upstreams) queue, keep their origins held, and each
/// one's acknowledgement completes once it has been emitted and acknowledged, so no
/// element is released or emitted twice (streamz's rate_limit can do both).
///
/// In a feedback loop (`rateLimit(...).connect(source)`) an element can come back
/// while its parent is still being emitted. That one is queued and acknowledged at
/// once: the interval paces the loop, and waiting for it would make the parent wait
/// for its own child.
public final class RateLimitNode<Element>: Stream<Element> {
    private var state: RateLimitState
    private var queue: [(element: Element, annotation: Annotation, done: PendingAck)] = []
    private var timerArmed = false
    private var blocked = false
    private var sending = false

    init(upstream: Stream<Element>, interval: Duration) {
        self.state = RateLimitState(interval: interval)
        super.init(name: "rateLimit", upstream: upstream)
        upstream.subscribe(self) { element, annotation in
            self.receive(element, annotation)
        }
    }

    private func receive(_ element: Element, _ annotation: Annotation) -> Ack {
        let done = PendingAck()
        if sending {
            annotation.origin?.retain()
            queue.append((element, annotation, done))
            armTimer()
            return .ready
        }
        if queue.isEmpty, !blocked, state.canEmit(at: clock.now) {
            send(element, annotation, done: done)
        } else {
            annotation.origin?.retain()
            queue.append((element, annotation, done))
            armTimer()
        }
        return .pending(done)
    }

    /// Emits one element; `done` completes when downstream has acknowledged it and
    /// the interval after it has passed.
    private func send(_ element: Element, _ annotation: Annotation, done: PendingAck) {
        let next = state.emitted(at: clock.now)
        sending = true
        let downstream = emit(element, annotation)
        sending = false
        let intervalPassed = PendingAck()
        clock.schedule(at: next) { intervalPassed.complete() }
        let both = Ack.all(downstream, .pending(intervalPassed))
        if case .pending(let pending) = downstream {
            blocked = true
            pending.whenComplete { [weak self] in
                self?.blocked = false
                self?.armTimer()
            }
        }
        both.whenReady { done.complete() }
    }

    private func armTimer() {
        guard !timerArmed, !blocked, !queue.isEmpty else { return }
        timerArmed = true
        clock.schedule(at: state.nextAllowed ?? clock.now) { [weak self] in
            guard let self else { return }
            self.timerArmed = false
            guard !self.blocked, !self.queue.isEmpty else { return }
            let (element, annotation, done) = self.queue.removeFirst()
            self.send(element, annotation, done: done)
            annotation.origin?.release()
            self.armTimer()
        }
    }
}

extension Stream {
    /// At most one element per `interval`; upstream waits (streamz's `rate_limit`).
    public final func rateLimit(_ interval: Duration) -> RateLimitNode<Element> {
        RateLimitNode(upstream: self, interval: interval)
    }
}
