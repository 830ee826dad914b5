/// A sink whose closure is async (streamz's `sink` with a coroutine).
///
/// One call runs at a time, in order. Upstream gets `.pending` until the call for
/// its element has finished, and the element's origin stays held until then: the
/// record is not done while its write is in flight (streamz releases it when the
/// coroutine starts).
public final class AsyncSink<Element: Sendable>: Sink<Element> {
    private let body: @Sendable (Element) async -> Void
    private var queue: [(element: Element, annotation: Annotation, done: PendingAck)] = []
    private var running = false

    init(upstream: Stream<Element>, body: @escaping @Sendable (Element) async -> Void) {
        self.body = body
        super.init(name: "sink", upstream: upstream)
        upstream.subscribe(self) { element, annotation in
            annotation.origin?.retain()
            let done = PendingAck()
            self.queue.append((element, annotation, done))
            self.startNext()
            return .pending(done)
        }
    }

    /// Elements waiting or running.
    public var backlog: Int { queue.count }

    private func startNext() {
        guard !running, let (element, _, _) = queue.first else { return }
        running = true
        let body = self.body
        clock.runAsync({ await body(element) }) { [weak self] _ in
            guard let self else { return }
            let (_, annotation, done) = self.queue.removeFirst()
            self.running = false
            annotation.origin?.release()
            done.complete()
            self.startNext()
        }
    }
}

extension Stream where Element: Sendable {
    /// Calls an async `body` for every element, one at a time.
    @discardableResult
    public final func sink(_ body: @escaping @Sendable (Element) async -> Void) -> AsyncSink<Element> {
        AsyncSink(upstream: self, body: body)
    }
}
