/// Groups elements into arrays of `size` (streamz's `partition`).
///
/// The elements of a batch are held until the batch has been emitted and
/// acknowledged, so their records are not committed while they wait (streamz
/// releases them at once). `timeout` flushes a partial batch once its first element
/// has waited that long.
public final class PartitionNode<Element>: Stream<[Element]> {
    @usableFromInline @exclusivity(unchecked) var state: PartitionState<Element>
    @usableFromInline let timeout: Duration?
    @usableFromInline let group = OriginGroup()

    @usableFromInline init(upstream: StreamNode, size: Int, timeout: Duration?) {
        self.state = PartitionState(size: size)
        self.timeout = timeout
        super.init(name: "partition", upstream: upstream)
    }

    @inlinable func receive(_ element: Element, _ annotation: Annotation) -> Ack {
        switch state.append(element, annotation, now: self.clock.now) {
        case .buffered:
            return .ready
        case .opened(let generation):
            if let timeout { armTimeout(generation: generation, after: timeout) }
            return .ready
        case .full(let elements, var held):
            return emit(elements, releasing: &held, through: group)
        }
    }

    @usableFromInline func armTimeout(generation: Int, after timeout: Duration) {
        clock.schedule(after: timeout) { [weak self] in
            guard let self, let (elements, held) = self.state.expire(generation: generation) else { return }
            var toRelease = held
            self.emit(elements, releasing: &toRelease, through: self.group)
        }
    }

    /// Emits the partial batch now.
    @discardableResult
    public func flush() -> Ack {
        guard let (elements, held) = state.drain() else { return .ready }
        var toRelease = held
        return emit(elements, releasing: &toRelease, through: group)
    }
}

/// `partition` with a buffer per key.
public final class KeyedPartitionNode<Key: Hashable, Element>: Stream<[Element]> {
    private var state: KeyedPartitionState<Key, Element>
    private let timeout: Duration?
    private let group = OriginGroup()

    init(upstream: Stream<Element>, size: Int, timeout: Duration?, key: @escaping (Element) -> Key) {
        self.state = KeyedPartitionState(size: size)
        self.timeout = timeout
        super.init(name: "partition", upstream: upstream)
        upstream.subscribe(self) { element, annotation in
            self.receive(element, annotation, key: key(element))
        }
    }

    private func receive(_ element: Element, _ annotation: Annotation, key: Key) -> Ack {
        switch state.append(element, annotation, key: key, now: clock.now) {
        case .buffered:
            return .ready
        case .opened(let generation):
            if let timeout {
                clock.schedule(after: timeout) { [weak self] in
                    guard let self, let (elements, held) = self.state.expire(key: key, generation: generation) else { return }
                    var toRelease = held
                    self.emit(elements, releasing: &toRelease, through: self.group)
                }
            }
            return .ready
        case .full(let elements, var held):
            return emit(elements, releasing: &held, through: group)
        }
    }

    /// Emits every partial batch now, oldest first.
    @discardableResult
    public func flush() -> Ack {
        var ack = Ack.ready
        for (elements, held) in state.drain() {
            var toRelease = held
            ack = Ack.all(ack, emit(elements, releasing: &toRelease, through: group))
        }
        return ack
    }
}

extension Stream {
    /// Arrays of `n` consecutive elements (streamz's `partition(n, timeout)`).
    @inlinable
    public final func partition(_ n: Int, timeout: Duration? = nil) -> PartitionNode<Element> {
        let node = PartitionNode<Element>(upstream: self, size: n, timeout: timeout)
        subscribe(node) { element, annotation in node.receive(element, annotation) }
        return node
    }

    /// Arrays of `n` elements sharing a key, one buffer per key
    /// (streamz's `partition(n, timeout, key)`).
    public final func partition<Key: Hashable>(
        _ n: Int, timeout: Duration? = nil, key: @escaping (Element) -> Key
    ) -> KeyedPartitionNode<Key, Element> {
        KeyedPartitionNode(upstream: self, size: n, timeout: timeout, key: key)
    }
}
