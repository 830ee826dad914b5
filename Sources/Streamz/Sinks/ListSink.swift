/// Appends every element to `values` (streamz's `sink_to_list`).
public final class ListSink<Element>: Sink<Element> {
    /// Everything received so far, in order.
    public private(set) var values: [Element] = []

    init(upstream: Stream<Element>) {
        super.init(name: "sinkToList", upstream: upstream)
        upstream.subscribe(self) { element, _ in
            self.values.append(element)
            return .ready
        }
    }

    /// Empties `values`.
    public func removeAll() { values.removeAll() }
}

extension Stream {
    public final func sinkToList() -> ListSink<Element> {
        ListSink(upstream: self)
    }
}
