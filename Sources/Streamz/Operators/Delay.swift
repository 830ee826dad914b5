/// Holds each element for `interval` before emitting it (streamz's `delay`).
/// Held elements keep their origins held until emitted and acknowledged. While
/// downstream is pending, upstream gets `.pending` too, so the queue cannot grow
/// without bound behind a stalled sink.
public final class DelayNode<Element>: Stream<Element> {
    public let interval: Duration
    private var queue = ElementQueue<Element>()
    private var dueTimes = ElementQueue<Duration>()
    private let upstream = UpstreamWaiters()
    private var timerArmed = false
    private var blocked = false

    init(upstream source: Stream<Element>, interval: Duration) {
        self.interval = interval
        super.init(name: "delay", upstream: source)
        source.subscribe(self) { element, annotation in
            self.receive(element, annotation)
        }
    }

    public var queued: Int { queue.count }

    private func receive(_ element: Element, _ annotation: Annotation) -> Ack {
        annotation.origin?.retain()
        queue.push(element, annotation)
        dueTimes.push(clock.now + interval, .none)
        armTimer()
        return blocked ? upstream.pending() : .ready
    }

    private func armTimer() {
        guard !timerArmed, !blocked, let due = dueTimes.first?.element else { return }
        timerArmed = true
        clock.schedule(at: due) { [weak self] in
            guard let self else { return }
            self.timerArmed = false
            self.emitDue()
        }
    }

    private func emitDue() {
        while !blocked, let due = dueTimes.first?.element, due <= clock.now,
              let (element, annotation) = queue.pop() {
            _ = dueTimes.pop()
            let ack = emit(element, annotation)
            annotation.origin?.release()
            if case .pending(let pending) = ack {
                blocked = true
                pending.whenComplete { [weak self] in
                    guard let self else { return }
                    self.blocked = false
                    self.upstream.resume()
                    self.emitDue()
                }
            }
        }
        armTimer()
    }
}

extension Stream {
    /// Emits every element `interval` after it arrived (streamz's `delay`).
    public final func delay(_ interval: Duration) -> DelayNode<Element> {
        DelayNode(upstream: self, interval: interval)
    }
}
