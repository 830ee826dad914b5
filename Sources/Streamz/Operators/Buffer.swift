/// A queue of up to `size` elements between upstream and downstream (streamz's
/// `buffer`). While downstream is pending, elements wait here; upstream gets
/// `.pending` only when the queue is full. Queued elements keep their origins held.
public final class BufferNode<Element>: Stream<Element> {
    public let size: Int
    private var queue = ElementQueue<Element>()
    private let upstream = UpstreamWaiters()
    private var blocked = false
    private var draining = false

    init(upstream source: Stream<Element>, size: Int) {
        precondition(size > 0, "buffer size must be positive")
        self.size = size
        super.init(name: "buffer", upstream: source)
        source.subscribe(self) { element, annotation in
            self.receive(element, annotation)
        }
    }

    /// Elements waiting for downstream.
    public var queued: Int { queue.count }

    private func receive(_ element: Element, _ annotation: Annotation) -> Ack {
        annotation.origin?.retain()
        queue.push(element, annotation)
        drain()
        return queue.count >= size ? upstream.pending() : .ready
    }

    private func drain() {
        if draining { return }
        draining = true
        defer { draining = false }
        while !blocked, let (element, annotation) = queue.pop() {
            let ack = emit(element, annotation)
            annotation.origin?.release()
            if case .pending(let pending) = ack {
                blocked = true
                pending.whenComplete { [weak self] in
                    guard let self else { return }
                    self.blocked = false
                    self.drain()
                }
            }
        }
        if queue.count < size { upstream.resume() }
    }
}

extension Stream {
    /// Decouples upstream from a slow downstream with a queue of `n` (streamz's `buffer`).
    public final func buffer(_ n: Int) -> BufferNode<Element> {
        BufferNode(upstream: self, size: n)
    }
}
