/// Which positions `slice` lets through.
public struct SliceState {
    public enum Decision: Equatable {
        case emit
        case skip
        /// Past the end: this element and all later ones are dropped.
        case finished
    }

    public let start: Int
    public let end: Int?
    public let step: Int
    private var position = 0

    public init(start: Int = 0, end: Int? = nil, step: Int = 1) {
        precondition(start >= 0 && step > 0, "slice needs start >= 0 and step > 0")
        self.start = start
        self.end = end
        self.step = step
    }

    public mutating func next() -> Decision {
        defer { position += 1 }
        if let end, position >= end { return .finished }
        if position < start || (position - start) % step != 0 { return .skip }
        return .emit
    }

    /// True once no later position can be emitted.
    public var isFinished: Bool {
        guard let end else { return false }
        let nextEmitted = position <= start ? start : start + (position - start + step - 1) / step * step
        return nextEmitted >= end
    }
}

extension Stream {
    /// Lets through the elements at positions `start`, `start + step`, … before `end`
    /// (streamz's `slice`). Once past `end` it detaches from its upstream.
    public final func slice(start: Int = 0, end: Int? = nil, step: Int = 1) -> Stream<Element> {
        let node = Stream<Element>(name: "slice", upstream: self)
        var state = SliceState(start: start, end: end, step: step)
        subscribe(node) { [unowned self] element, annotation in
            switch state.next() {
            case .emit:
                let ack = node.emit(element, annotation)
                if state.isFinished { self.disconnect(node) }
                return ack
            case .skip:
                return .ready
            case .finished:
                self.disconnect(node)
                return .ready
            }
        }
        return node
    }
}
