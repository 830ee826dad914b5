/// Runs an async transform on up to `parallelism` elements at once and emits the
/// results in input order (streamz's `map_async`, the seed's scatter/gather on
/// local cores).
///
/// Upstream gets `.pending` while `parallelism` transforms run. Each element's
/// origin stays held until its result has been emitted and acknowledged.
public final class MapAsyncNode<Input: Sendable, Output: Sendable>: Stream<Output> {
    public let parallelism: Int
    private let transform: @Sendable (Input) async -> Output
    private var results: [Int: (output: Output?, annotation: Annotation)] = [:]
    private var nextSequence = 0
    private var nextToEmit = 0
    private var running = 0
    private var blocked = false
    private let upstream = UpstreamWaiters()

    init(upstream source: Stream<Input>, parallelism: Int, transform: @escaping @Sendable (Input) async -> Output) {
        precondition(parallelism > 0, "mapAsync parallelism must be positive")
        self.parallelism = parallelism
        self.transform = transform
        super.init(name: "mapAsync", upstream: source)
        source.subscribe(self) { element, annotation in
            self.receive(element, annotation)
        }
    }

    /// Transforms running now.
    public var inFlight: Int { running }

    private func receive(_ element: Input, _ annotation: Annotation) -> Ack {
        annotation.origin?.retain()
        let sequence = nextSequence
        nextSequence += 1
        results[sequence] = (nil, annotation)
        running += 1
        let transform = self.transform
        clock.runAsync({ await transform(element) }) { [weak self] output in
            guard let self else { return }
            self.running -= 1
            self.results[sequence]?.output = output
            self.emitInOrder()
        }
        return running >= parallelism ? upstream.pending() : .ready
    }

    private func emitInOrder() {
        while !blocked, let (output, annotation) = results[nextToEmit], let output {
            results[nextToEmit] = nil
            nextToEmit += 1
            let ack = emit(output, annotation)
            annotation.origin?.release()
            if case .pending(let pending) = ack {
                blocked = true
                pending.whenComplete { [weak self] in
                    self?.blocked = false
                    self?.emitInOrder()
                }
            }
        }
        // Results parked behind a blocked downstream count against parallelism too.
        if running + (blocked ? results.count : 0) < parallelism { upstream.resume() }
    }
}

extension Stream where Element: Sendable {
    /// An async transform, `parallelism` at a time, output order kept.
    public final func mapAsync<Output: Sendable>(
        parallelism: Int = 1, _ transform: @escaping @Sendable (Element) async -> Output
    ) -> MapAsyncNode<Element, Output> {
        MapAsyncNode(upstream: self, parallelism: parallelism, transform: transform)
    }
}
