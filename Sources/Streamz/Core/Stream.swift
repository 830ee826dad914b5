/// A push-based stream: streamz's `Stream`, in Swift.
///
/// ```swift
/// let source = Stream<Int>()
/// let total = source.map { $0 + 1 }.filter { $0 % 2 == 0 }.accumulate(0, +).sinkToList()
/// for x in 1...5 { source.emit(x) }
/// total.values  // [2, 6, 12]
/// ```
///
/// Operators are methods that return a new downstream stream. A stream may have any
/// number of downstreams (branching), several streams may feed one (`union`, `zip`,
/// `connect`), and a sink may feed a source (feedback loops).
///
/// Ownership: a stream keeps its downstreams alive, not its upstreams; keep a
/// reference to the sources of a graph.
///
/// Threading: a graph runs on one executor at a time, its clock's (see `StreamClock`).
///
/// Naming: Foundation has a `Stream` class too. In a file that imports both, write
/// `Streamz.Stream<T>` where a type is expected.
open class Stream<Element>: StreamNode {
    @usableFromInline final var edges: [Edge<Element>] = []
    // The common single-downstream case, read without retain/release or exclusivity
    // checks: this is what keeps a hop at a few nanoseconds. `edges` owns the edge.
    @usableFromInline @exclusivity(unchecked) final var single: Unmanaged<Edge<Element>>?
    // Edges removed while they might still be running, freed on the next turn of the
    // executor.
    private final var retired: [Edge<Element>] = []

    /// A source stream. Its clock drives every time-based operator below it.
    public override init(name: String = "stream", clock: StreamClock = DefaultClock.shared) {
        super.init(name: name, clock: clock)
    }

    /// A derived stream, on its upstream's clock.
    @inlinable public init(name: String, upstream: StreamNode) {
        super.init(name: name, clock: upstream.clock)
    }

    /// Pushes `element` to every downstream and returns their combined
    /// acknowledgement. A source that gets `.pending` waits for it before emitting
    /// more.
    @inlinable @inline(__always) @discardableResult
    public final func emit(_ element: Element, _ annotation: Annotation = Annotation()) -> Ack {
        if let edge = single {
            return edge._withUnsafeGuaranteedRef { $0.receive(element, annotation) }
        }
        return emitToAll(element, annotation)
    }

    @inlinable @inline(never)
    final func emitToAll(_ element: Element, _ annotation: Annotation) -> Ack {
        var ack = Ack.ready
        for edge in edges {  // a copy: downstreams may change while we emit
            ack = Ack.all(ack, edge.receive(element, annotation))
        }
        return ack
    }

    /// Registers a downstream. Operators call this with the closure that feeds their
    /// node; `node` is what graph walks and `disconnect` see.
    ///
    /// The closure captures its node strongly. The upstream owns the node anyway
    /// (through the edge), the node never owns its upstream, so there is no cycle; and
    /// an `unowned` capture would cost a side-table retain and release per element for
    /// any node that is also referenced weakly (by a timer or a completion).
    @inlinable @discardableResult
    public final func subscribe(
        _ node: StreamNode?,
        _ receive: @escaping (Element, Annotation) -> Ack
    ) -> Edge<Element> {
        let edge = Edge(node: node, receive: receive)
        edges.append(edge)
        single = edges.count == 1 ? Unmanaged.passUnretained(edges[0]) : nil
        node?.upstreamLinks.append(WeakNode(self))
        return edge
    }

    /// Makes `downstream` receive everything this stream emits (streamz's `connect`).
    public final func connect(_ downstream: Stream<Element>) {
        subscribe(downstream) { element, annotation in
            downstream.emit(element, annotation)
        }
    }

    /// Stops feeding `downstream`.
    public final func disconnect(_ downstream: StreamNode) {
        let removed = edges.filter { $0.node === downstream }
        if removed.isEmpty { return }
        edges.removeAll { $0.node === downstream }
        single = edges.count == 1 ? Unmanaged.passUnretained(edges[0]) : nil
        downstream.upstreamLinks.removeAll { $0.node === self || $0.node == nil }
        // The removed closure may be running right now (an operator detaching itself),
        // so it must outlive this call.
        retired.append(contentsOf: removed)
        clock.execute { [weak self] in self?.retired.removeAll() }
    }

    public final override var downstreams: [StreamNode] { edges.compactMap(\.node) }
}

/// Lets `destroy` reach an upstream without knowing its element type.
protocol DisconnectableStream: AnyObject {
    func disconnectNode(_ node: StreamNode)
}

extension Stream: DisconnectableStream {
    func disconnectNode(_ node: StreamNode) { disconnect(node) }
}
