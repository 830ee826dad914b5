extension Stream {
    /// Picks one property of each element (streamz's `pluck`).
    @inlinable
    public final func pluck<Value>(_ keyPath: KeyPath<Element, Value>) -> Stream<Value> {
        let node = map { $0[keyPath: keyPath] }
        node.name = "pluck"
        return node
    }

    /// Picks two properties as a tuple (streamz's `pluck` with a list of picks).
    @inlinable
    public final func pluck<A, B>(
        _ first: KeyPath<Element, A>, _ second: KeyPath<Element, B>
    ) -> Stream<(A, B)> {
        let node = map { ($0[keyPath: first], $0[keyPath: second]) }
        node.name = "pluck"
        return node
    }

    /// Picks a dictionary entry; nil when the key is missing (streamz would raise).
    @inlinable
    public final func pluck<Key: Hashable, Value>(_ key: Key) -> Stream<Value?> where Element == [Key: Value] {
        let node = map { $0[key] }
        node.name = "pluck"
        return node
    }

    /// Picks an array position; nil when the array is too short (streamz would raise).
    @inlinable
    public final func pluck<Value>(index: Int) -> Stream<Value?> where Element == [Value] {
        let node = map { $0.indices.contains(index) ? $0[index] : nil }
        node.name = "pluck"
        return node
    }
}
