/// A record whose event time could not be read: it goes to `failures`, never nowhere.
public struct EventTimeFailure<Element> {
    public var element: Element
    public var error: any Error
}

/// Sets each element's event time and feeds the watermark (per partition).
public final class EventTimeNode<Element>: Stream<Element> {
    /// Elements whose time could not be read. The service routes them to the
    /// dead-letter topic.
    public let failures: Stream<EventTimeFailure<Element>>
    public let watermarks: Watermarks
    @usableFromInline let partition: (Element) -> Int
    @usableFromInline let extract: ((Element) throws -> Int64)?

    @usableFromInline init(
        upstream: Stream<Element>, watermarks: Watermarks,
        partition: @escaping (Element) -> Int,
        extract: ((Element) throws -> Int64)?
    ) {
        self.watermarks = watermarks
        self.partition = partition
        self.extract = extract
        self.failures = Stream(name: "eventTimeFailures", upstream: upstream)
        super.init(name: "eventTime", upstream: upstream)
    }

    @inlinable
    func receive(_ element: Element, _ annotation: Annotation) -> Ack {
        var annotated = annotation
        do {
            if let extract { annotated.eventTime = try extract(element) }
            guard annotated.hasEventTime else { throw EventTimeError.missing }
        } catch {
            return fail(element, error, annotation)
        }
        watermarks.observe(annotated.eventTime, partition: partition(element))
        return emit(element, annotated)
    }

    @usableFromInline
    func fail(_ element: Element, _ error: any Error, _ annotation: Annotation) -> Ack {
        failures.emit(EventTimeFailure(element: element, error: error), annotation)
    }
}

extension Stream {
    /// Reads each element's event time (epoch ms) with `extract` and advances
    /// `watermarks` for the element's partition. Elements whose time cannot be read
    /// go to `failures`.
    @inlinable
    public final func withEventTime(
        _ watermarks: Watermarks,
        partition: @escaping (Element) -> Int = { _ in 0 },
        _ extract: @escaping (Element) throws -> Int64
    ) -> EventTimeNode<Element> {
        let node = EventTimeNode(upstream: self, watermarks: watermarks, partition: partition, extract: extract)
        subscribe(node) { element, annotation in node.receive(element, annotation) }
        return node
    }

    /// Uses the event time the elements already carry (the Kafka timestamp, say) to
    /// advance `watermarks`.
    @inlinable
    public final func withEventTime(
        _ watermarks: Watermarks, partition: @escaping (Element) -> Int = { _ in 0 }
    ) -> EventTimeNode<Element> {
        let node = EventTimeNode(upstream: self, watermarks: watermarks, partition: partition, extract: nil)
        subscribe(node) { element, annotation in node.receive(element, annotation) }
        return node
    }
}
