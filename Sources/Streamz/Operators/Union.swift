extension Stream {
    /// Merges this stream and `others`, in arrival order (streamz's `union`).
    public final func union(_ others: Stream<Element>...) -> Stream<Element> {
        let node = Stream<Element>(name: "union", upstream: self)
        connect(node)
        for other in others { other.connect(node) }
        return node
    }
}
