/// What every node of a graph has, whatever it carries: a name, a clock and its
/// neighbours. Used to walk and draw the graph.
open class StreamNode {
    /// Shown in graph drawings and errors.
    public var name: String
    /// The clock the node's time-based work runs on; inherited from upstream.
    public let clock: StreamClock

    @usableFromInline final var upstreamLinks: [WeakNode] = []

    public init(name: String, clock: StreamClock) {
        self.name = name
        self.clock = clock
    }

    /// The nodes this one receives from.
    public final var upstreams: [StreamNode] { upstreamLinks.compactMap(\.node) }

    /// The nodes this one emits to.
    open var downstreams: [StreamNode] { [] }

    /// Disconnects this node from all its upstreams (streamz's `destroy`).
    public final func destroy() {
        for upstream in upstreams {
            (upstream as? any DisconnectableStream)?.disconnectNode(self)
        }
    }
}

@usableFromInline
struct WeakNode {
    // Weak: upstreams own their downstreams, never the other way, so a graph is
    // freed when its sources are.
    @usableFromInline weak var node: StreamNode?
    @inlinable init(_ node: StreamNode) { self.node = node }
}

/// One downstream connection: the receiving closure and the node it feeds.
public final class Edge<Element> {
    @usableFromInline let receive: (Element, Annotation) -> Ack
    @usableFromInline let node: StreamNode?

    @inlinable init(node: StreamNode?, receive: @escaping (Element, Annotation) -> Ack) {
        self.node = node
        self.receive = receive
    }
}
