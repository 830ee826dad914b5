extension Stream {
    /// Applies `transform` to every element (streamz's `map`). Annotations pass through.
    @inlinable
    public final func map<Output>(_ transform: @escaping (Element) -> Output) -> Stream<Output> {
        let node = Stream<Output>(name: "map", upstream: self)
        subscribe(node) { element, annotation in
            node.emit(transform(element), annotation)
        }
        return node
    }

    /// Like `map`, with the element's annotation (event time, origin) at hand.
    @inlinable
    public final func mapAnnotated<Output>(
        _ transform: @escaping (Element, Annotation) -> (Output, Annotation)
    ) -> Stream<Output> {
        let node = Stream<Output>(name: "map", upstream: self)
        subscribe(node) { element, annotation in
            let (output, outputAnnotation) = transform(element, annotation)
            return node.emit(output, outputAnnotation)
        }
        return node
    }
}
