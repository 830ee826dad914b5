/// Caches elements until `flush()` emits them as one array (streamz's `collect`).
/// The cached elements are held (their origins are not done) until what `flush`
/// emitted is acknowledged.
public final class Collector<Element>: Stream<[Element]> {
    private var cache: [Element] = []
    private var held = HeldOrigins()
    private let group = OriginGroup()

    init(upstream: Stream<Element>) {
        super.init(name: "collect", upstream: upstream)
        upstream.subscribe(self) { element, annotation in
            self.cache.append(element)
            self.held.hold(annotation)
            return .ready
        }
    }

    /// How many elements wait for the next flush.
    public var count: Int { cache.count }

    /// Emits everything cached so far, as one array, and empties the cache.
    @discardableResult
    public func flush() -> Ack {
        let batch = cache
        cache = []
        let annotation = held.take(into: group)
        let ack = emit(batch, annotation)
        annotation.origin?.release()
        return ack
    }
}

extension Stream {
    public final func collect() -> Collector<Element> {
        Collector(upstream: self)
    }
}
