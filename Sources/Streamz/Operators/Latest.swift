/// Passes elements through while downstream keeps up; while it is pending, keeps
/// only the newest element and drops the stale ones (streamz's `latest`). A dropped
/// element is done, as if filtered. Upstream never waits.
public final class LatestNode<Element>: Stream<Element> {
    private var held: (element: Element, annotation: Annotation)?
    private var blocked = false

    init(upstream: Stream<Element>) {
        super.init(name: "latest", upstream: upstream)
        upstream.subscribe(self) { element, annotation in
            self.receive(element, annotation)
        }
    }

    private func receive(_ element: Element, _ annotation: Annotation) -> Ack {
        if blocked {
            annotation.origin?.retain()
            held?.annotation.origin?.release()
            held = (element, annotation)
        } else {
            forward(element, annotation)
        }
        return .ready
    }

    private func forward(_ element: Element, _ annotation: Annotation) {
        guard case .pending(let pending) = emit(element, annotation) else { return }
        blocked = true
        pending.whenComplete { [weak self] in
            guard let self else { return }
            self.blocked = false
            if let (element, annotation) = self.held {
                self.held = nil
                self.forward(element, annotation)
                annotation.origin?.release()
            }
        }
    }
}

extension Stream {
    /// Drops stale elements while downstream is slow (streamz's `latest`).
    public final func latest() -> LatestNode<Element> {
        LatestNode(upstream: self)
    }
}
