extension Stream {
    /// Keeps the elements for which `isIncluded` is true. A dropped element is done
    /// at once: the filter does not hold it.
    @inlinable
    public final func filter(_ isIncluded: @escaping (Element) -> Bool) -> Stream<Element> {
        let node = Stream<Element>(name: "filter", upstream: self)
        subscribe(node) { element, annotation in
            isIncluded(element) ? node.emit(element, annotation) : .ready
        }
        return node
    }

    /// Drops the elements for which `isExcluded` is true (streamz's `remove`).
    @inlinable
    public final func remove(_ isExcluded: @escaping (Element) -> Bool) -> Stream<Element> {
        let node = filter { !isExcluded($0) }
        node.name = "remove"
        return node
    }
}

extension Stream where Element == Bool {
    /// streamz's `filter(None)`: keeps the true elements.
    public final func filter() -> Stream<Bool> { filter { $0 } }
}

extension Stream {
    /// streamz's `filter(None)` for optionals: keeps the non-nil values, unwrapped.
    public final func compact<Wrapped>() -> Stream<Wrapped> where Element == Wrapped? {
        let node = Stream<Wrapped>(name: "compact", upstream: self)
        subscribe(node) { element, annotation in
            guard let value = element else { return .ready }
            return node.emit(value, annotation)
        }
        return node
    }
}
