/// A FIFO of elements with their annotations, bounded or not: the storage of
/// `buffer`, `delay`, `rateLimit` and friends.
public struct ElementQueue<Element> {
    @usableFromInline var storage: [(element: Element, annotation: Annotation)?] = []
    @usableFromInline var head = 0

    @inlinable public init() {}

    @inlinable public var count: Int { storage.count - head }
    @inlinable public var isEmpty: Bool { head == storage.count }

    @inlinable public mutating func push(_ element: Element, _ annotation: Annotation) {
        storage.append((element, annotation))
    }

    @inlinable public var first: (element: Element, annotation: Annotation)? {
        isEmpty ? nil : storage[head]
    }

    @inlinable public mutating func pop() -> (element: Element, annotation: Annotation)? {
        guard head < storage.count else { return nil }
        let item = storage[head]
        storage[head] = nil
        head += 1
        // Reclaim the consumed prefix once it dominates, keeping pops O(1) amortised.
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return item
    }
}
