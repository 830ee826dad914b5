/// A terminal node: it calls a closure for every element (streamz's `sink`).
/// Keep it if you want to `destroy()` it later; the upstream keeps it alive.
open class Sink<Element>: StreamNode {
    /// For sinks defined elsewhere (Kafka, PostgreSQL): subscribe to the upstream in
    /// the subclass's initialiser.
    public init(name: String, upstream: StreamNode) {
        super.init(name: name, clock: upstream.clock)
    }

}

extension Stream {
    /// Calls `body` for every element. The element is done when `body` returns.
    @inlinable @discardableResult
    public final func sink(_ body: @escaping (Element) -> Void) -> Sink<Element> {
        let node = Sink<Element>(name: "sink", upstream: self)
        subscribe(node) { element, _ in
            body(element)
            return .ready
        }
        return node
    }

    /// Calls `body` with every element and its annotation.
    @inlinable @discardableResult
    public final func sinkAnnotated(_ body: @escaping (Element, Annotation) -> Void) -> Sink<Element> {
        let node = Sink<Element>(name: "sink", upstream: self)
        subscribe(node) { element, annotation in
            body(element, annotation)
            return .ready
        }
        return node
    }
}
