/// The window logic of `slidingWindow`: the last `size` elements.
public struct SlidingWindowState<Element> {
    public let size: Int
    public let returnPartial: Bool
    @usableFromInline var window: [Element] = []

    public init(size: Int, returnPartial: Bool) {
        precondition(size > 0, "slidingWindow size must be positive")
        self.size = size
        self.returnPartial = returnPartial
        window.reserveCapacity(size)
    }

    /// Adds an element; the window to emit, if there is one yet.
    @inlinable public mutating func append(_ element: Element) -> [Element]? {
        if window.count == size {
            // Shift in place: cheaper than removeFirst's general range replacement, and
            // it copies the storage only if downstream kept the previous window.
            window.withUnsafeMutableBufferPointer { buffer in
                for index in 1..<buffer.count { buffer[index - 1] = buffer[index] }
                buffer[buffer.count - 1] = element
            }
            return window
        }
        window.append(element)
        return window.count == size || returnPartial ? window : nil
    }
}

extension Stream {
    /// The last `n` elements, after every element (streamz's `sliding_window`).
    /// With `returnPartial` (the default) the first windows are shorter.
    ///
    /// Each window is emitted as soon as its newest element arrives, so no element is
    /// held for commit purposes: the older members were already emitted in earlier
    /// windows. In steady state it allocates nothing: the array is reused whenever
    /// downstream did not keep it.
    @inlinable
    public final func slidingWindow(_ n: Int, returnPartial: Bool = true) -> Stream<[Element]> {
        let node = Accumulator<SlidingWindowState<Element>, [Element]>(
            name: "slidingWindow", upstream: self,
            state: SlidingWindowState(size: n, returnPartial: returnPartial))
        subscribe(node) { element, annotation in
            guard let window = node.state.append(element) else { return .ready }
            return node.emit(window, annotation)
        }
        return node
    }
}
