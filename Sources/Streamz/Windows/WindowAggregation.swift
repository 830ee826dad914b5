/// How a window folds its records. Partials must merge: two partials of disjoint
/// record sets merge into the partial of their union, whatever the order. That is
/// what lets sessions merge, sliding windows share records, and the PostgreSQL sink
/// add up deltas.
public protocol WindowAggregation {
    associatedtype Input
    associatedtype Partial
    associatedtype Output

    /// The partial of no records.
    var empty: Partial { get }
    func add(_ input: Input, eventTime: Int64, to partial: inout Partial)
    func merge(_ a: Partial, _ b: Partial) -> Partial
    func result(_ partial: Partial) -> Output
}

/// count, sum, min, max, avg, first and last of a numeric value, in one partial.
///
/// `first` and `last` go by event time; among records with the same time, the one that
/// arrived first is first and the one that arrived last is last.
public struct Summary: WindowAggregation, Sendable {
    public struct Partial: Sendable, Codable, Hashable {
        public var count: Int64 = 0
        public var sum: Double = 0
        public var min: Double = .infinity
        public var max: Double = -.infinity
        public var firstTime: Int64 = .max
        public var first: Double = 0
        public var lastTime: Int64 = .min
        public var last: Double = 0

        public init() {}
    }

    public struct Output: Sendable, Hashable, Codable {
        public var count: Int64
        public var sum: Double
        public var min: Double?
        public var max: Double?
        public var avg: Double?
        public var first: Double?
        public var last: Double?
    }

    public init() {}

    public var empty: Partial { Partial() }

    @inlinable public func add(_ input: Double, eventTime: Int64, to partial: inout Partial) {
        partial.count += 1
        partial.sum += input
        if input < partial.min { partial.min = input }
        if input > partial.max { partial.max = input }
        if eventTime < partial.firstTime { partial.firstTime = eventTime; partial.first = input }
        if eventTime >= partial.lastTime { partial.lastTime = eventTime; partial.last = input }
    }

    public func merge(_ a: Partial, _ b: Partial) -> Partial {
        var merged = a
        merged.count += b.count
        merged.sum += b.sum
        merged.min = Swift.min(a.min, b.min)
        merged.max = Swift.max(a.max, b.max)
        if b.firstTime < a.firstTime { merged.firstTime = b.firstTime; merged.first = b.first }
        if b.lastTime >= a.lastTime, b.count > 0 { merged.lastTime = b.lastTime; merged.last = b.last }
        return merged
    }

    public func result(_ partial: Partial) -> Output {
        let any = partial.count > 0
        return Output(count: partial.count, sum: partial.sum,
                      min: any ? partial.min : nil, max: any ? partial.max : nil,
                      avg: any ? partial.sum / Double(partial.count) : nil,
                      first: any ? partial.first : nil, last: any ? partial.last : nil)
    }
}

/// A custom fold: `add` folds a record in, `merge` combines two partials.
public struct Fold<Input, Accumulator>: WindowAggregation {
    public let initial: Accumulator
    private let addInput: (Accumulator, Input) -> Accumulator
    private let mergePartials: (Accumulator, Accumulator) -> Accumulator

    public init(
        _ initial: Accumulator,
        add: @escaping (Accumulator, Input) -> Accumulator,
        merge: @escaping (Accumulator, Accumulator) -> Accumulator
    ) {
        self.initial = initial
        self.addInput = add
        self.mergePartials = merge
    }

    public var empty: Accumulator { initial }
    public func add(_ input: Input, eventTime: Int64, to partial: inout Accumulator) { partial = addInput(partial, input) }
    public func merge(_ a: Accumulator, _ b: Accumulator) -> Accumulator { mergePartials(a, b) }
    public func result(_ partial: Accumulator) -> Accumulator { partial }
}

/// What a window operator emits: the aggregate of one key in one window.
public struct WindowResult<Key, Aggregation: WindowAggregation> {
    public var key: Key
    public var window: WindowBounds
    /// The window's whole partial aggregate so far.
    public var partial: Aggregation.Partial
    public var value: Aggregation.Output
    /// In update mode: what changed since this window's previous result, to add to
    /// what was written before. Nil for sessions, whose bounds move (see `replaces`).
    public var delta: Aggregation.Partial?
    /// Earlier bounds this result supersedes (a session that grew or merged).
    public var replaces: [WindowBounds]
    /// True for the result emitted when the window closed.
    public var isFinal: Bool
}

/// A record that could not go into its windows: it came after they closed, or had no
/// event time. The service sends these to the dead-letter topic.
public struct LateRecord<Element> {
    public enum Reason: Equatable, Sendable {
        /// Every window it belongs to had closed.
        case late
        /// Some of its windows had closed (hopping windows); it went into the others.
        case partiallyLate
        case missingEventTime
    }

    public var element: Element
    public var eventTime: Int64
    public var watermark: Int64
    public var reason: Reason
    /// The closed windows it missed.
    public var missedWindows: [WindowBounds]
}
