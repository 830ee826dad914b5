/// One batch being filled: its elements, the origins it holds and when it opened.
public struct PartitionBatch<Element> {
    public var elements: [Element] = []
    public var held = HeldOrigins()
    /// When its first element arrived, for the timeout.
    public var openedAt: Duration = .zero
    /// Distinguishes this batch from a later one in the same buffer.
    public var generation = 0

    @inlinable public init() {}
}

/// The batching logic of `partition`: no I/O and no timers. The node arms a timeout
/// when `append` reports a new batch and calls `expire` when it fires.
public struct PartitionState<Element> {
    public enum Action {
        /// The element opened a new batch: arm its timeout.
        case opened(generation: Int)
        case buffered
        case full([Element], HeldOrigins)
    }

    public let size: Int
    @usableFromInline var batch = PartitionBatch<Element>()
    @usableFromInline var generation = 0

    public init(size: Int) {
        precondition(size > 0, "partition size must be positive")
        self.size = size
        batch.elements.reserveCapacity(size)
    }

    public var buffered: Int { batch.elements.count }

    @inlinable
    public mutating func append(_ element: Element, _ annotation: Annotation, now: @autoclosure () -> Duration) -> Action {
        batch.elements.append(element)
        if annotation.origin != nil || annotation.hasEventTime { batch.held.hold(annotation) }
        let count = batch.elements.count
        if count >= size { return .full(take(), batch.held.moved()) }
        if count == 1 {
            generation &+= 1
            batch.generation = generation
            batch.openedAt = now()
            return .opened(generation: generation)
        }
        return .buffered
    }

    /// The partial batch, if it is still the one of `generation` (its timeout fired).
    public mutating func expire(generation: Int) -> ([Element], HeldOrigins)? {
        guard batch.generation == generation, !batch.elements.isEmpty else { return nil }
        return (take(), batch.held.moved())
    }

    /// The partial batch, whatever its age (a final flush).
    public mutating func drain() -> ([Element], HeldOrigins)? {
        if batch.elements.isEmpty { return nil }
        return (take(), batch.held.moved())
    }

    @inlinable mutating func take() -> [Element] {
        var taken: [Element] = []
        taken.reserveCapacity(size)
        swap(&taken, &batch.elements)
        batch.generation = 0
        return taken
    }
}

/// The same logic with one buffer per key (streamz's `partition(n, key=...)`).
public struct KeyedPartitionState<Key: Hashable, Element> {
    public let size: Int
    public private(set) var buffers: [Key: PartitionState<Element>] = [:]

    public init(size: Int) {
        precondition(size > 0, "partition size must be positive")
        self.size = size
    }

    public mutating func append(_ element: Element, _ annotation: Annotation, key: Key, now: Duration) -> PartitionState<Element>.Action {
        var buffer = buffers.removeValue(forKey: key) ?? PartitionState(size: size)
        let action = buffer.append(element, annotation, now: now)
        if case .full = action { return action }  // an empty buffer is not kept
        buffers[key] = buffer
        return action
    }

    public mutating func expire(key: Key, generation: Int) -> ([Element], HeldOrigins)? {
        guard let result = buffers[key]?.expire(generation: generation) else { return nil }
        buffers[key] = nil
        return result
    }

    /// Every partial batch, oldest first.
    public mutating func drain() -> [([Element], HeldOrigins)] {
        let ordered = buffers.values.sorted { $0.batch.generation < $1.batch.generation }
        buffers = [:]
        return ordered.compactMap { buffer in var buffer = buffer; return buffer.drain() }
    }
}

extension HeldOrigins {
    /// The held origins, leaving this empty (so they are released exactly once).
    @inlinable public mutating func moved() -> HeldOrigins {
        defer { self = HeldOrigins() }
        return self
    }
}
