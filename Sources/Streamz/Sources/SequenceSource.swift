/// Emits the elements of a sequence (streamz's `from_iterable`).
public final class SequenceSource<Element>: Source<Element> {
    private var iterator: AnyIterator<Element>

    init<S: Sequence>(_ sequence: S, clock: StreamClock) where S.Element == Element {
        self.iterator = AnyIterator(sequence.makeIterator())
        super.init(name: "fromSequence", clock: clock)
    }

    public override func run() {
        while isRunning {
            guard let element = iterator.next() else { return stop() }
            let ack = emit(element)
            if !ack.isReady { return resume(after: ack) }
        }
    }
}

/// Emits the elements of an async sequence, awaiting each acknowledgement.
public final class AsyncSequenceSource<Element: Sendable>: Source<Element> {
    private let makeTask: (AsyncSequenceSource<Element>) -> Task<Void, Never>
    private var task: Task<Void, Never>?

    init<S: AsyncSequence & Sendable>(_ sequence: S, clock: StreamClock) where S.Element == Element {
        self.makeTask = { source in
            let bound = ExecutorBound(source)
            let clock = source.clock
            return Task {
                do {
                    for try await element in sequence {
                        let ack: ExecutorBound<Ack>? = await withCheckedContinuation { continuation in
                            clock.execute {
                                let source = bound.value
                                guard source.isRunning else { return continuation.resume(returning: nil) }
                                continuation.resume(returning: ExecutorBound(source.emit(element)))
                            }
                        }
                        guard let ack else { return }
                        await ack.value.wait()
                    }
                } catch {
                    // A failing sequence ends the source, like an exhausted one.
                }
                clock.execute { bound.value.stop() }
            }
        }
        super.init(name: "fromAsyncSequence", clock: clock)
    }

    public override func run() {
        if task == nil { task = makeTask(self) }
    }
}

extension Stream {
    /// A source over `sequence`; call `start()` to run it on `clock`.
    public static func from<S: Sequence>(_ sequence: S, clock: StreamClock = DefaultClock.shared) -> SequenceSource<Element>
    where S.Element == Element {
        SequenceSource(sequence, clock: clock)
    }

    /// A source over an async sequence; call `start()` to run it.
    public static func from<S: AsyncSequence & Sendable>(_ sequence: S, clock: StreamClock = DefaultClock.shared) -> AsyncSequenceSource<Element>
    where S.Element == Element, Element: Sendable {
        AsyncSequenceSource(sequence, clock: clock)
    }
}
