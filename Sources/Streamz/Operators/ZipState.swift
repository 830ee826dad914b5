/// The pairing logic of `zip`: a FIFO per input, a pair as soon as both have one.
public struct ZipState<Left, Right> {
    public let maxBuffer: Int
    public private(set) var left = ElementQueue<Left>()
    public private(set) var right = ElementQueue<Right>()

    public init(maxBuffer: Int) {
        precondition(maxBuffer > 0, "zip maxBuffer must be positive")
        self.maxBuffer = maxBuffer
    }

    public mutating func pushLeft(_ value: Left, _ annotation: Annotation) { left.push(value, annotation) }
    public mutating func pushRight(_ value: Right, _ annotation: Annotation) { right.push(value, annotation) }

    /// The oldest pair, once both inputs have an element.
    public mutating func nextPair() -> (Left, Right, [Annotation])? {
        guard !left.isEmpty, !right.isEmpty, let l = left.pop(), let r = right.pop() else { return nil }
        return (l.element, r.element, [l.annotation, r.annotation])
    }

    public var leftIsFull: Bool { left.count >= maxBuffer }
    public var rightIsFull: Bool { right.count >= maxBuffer }
}

/// Which inputs make `combineLatest` emit.
public enum CombineLatestTrigger: Sendable {
    /// Either input (streamz's default).
    case either
    /// Only this stream (the one `combineLatest` is called on).
    case first
    /// Only the other stream.
    case second
}
