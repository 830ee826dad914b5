extension Stream where Element: Sequence {
    /// Emits the members of each sequence one by one (streamz's `flatten`). Each
    /// carries the annotation of the sequence it came from; the acknowledgement is
    /// that of all of them.
    @inlinable
    public final func flatten() -> Stream<Element.Element> {
        let node = Stream<Element.Element>(name: "flatten", upstream: self)
        subscribe(node) { elements, annotation in
            var ack = Ack.ready
            for element in elements {
                ack = Ack.all(ack, node.emit(element, annotation))
            }
            return ack
        }
        return node
    }
}
