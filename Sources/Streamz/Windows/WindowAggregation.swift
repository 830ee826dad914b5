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

        @inlinable public init() {}
    }

    public struct Output: Sendable, Hashable, Codable {
        @inlinable init(count: Int64, sum: Double, min: Double?, max: Double?, avg: Double?, first: Double?, last: Double?) {
            self.count = count; self.sum = sum; self.min = min; self.max = max
            self.avg = avg; self.first = first; self.last = last
        }
        public var count: Int64
        public var sum: Double
        public var min: Double?
        public var max: Double?
        public var avg: Double?
        public var first: Double?
        public var last: Double?
    }

    @inlinable public init() {}

    @inlinable public var empty: Partial { Partial() }

    @inlinable public func add(_ input: Double, eventTime: Int64, to partial: inout Partial) {
        partial.count += 1
        partial.sum += input
        if input < partial.min { partial.min = input }
        if input > partial.max { partial.max = input }
        if eventTime < partial.firstTime { partial.firstTime = eventTime; partial.first = input }
        if eventTime >= partial.lastTime { partial.lastTime = eventTime; partial.last = input }
    }

    @inlinable public func merge(_ a: Partial, _ b: Partial) -> Partial {
        var merged = a
        merged.count += b.count
        merged.sum += b.sum
        merged.min = Swift.min(a.min, b.min)
        merged.max = Swift.max(a.max, b.max)
        if b.firstTime < a.firstTime { merged.firstTime = b.firstTime; merged.first = b.first }
        if b.lastTime >= a.lastTime, b.count > 0 { merged.lastTime = b.lastTime; merged.last = b.last }
        return merged
    }

    @inlinable public func result(_ partial: Partial) -> Output {
        let any = partial.count > 0
        return Output(count: partial.count, sum: partial.sum,
                      min: any ? partial.min : nil, max: any ? partial.max : nil,
                      avg: any ? partial.sum / Double(partial.count) : nil,
                      first: any ? partial.first : nil, last: any ? partial.last : nil)
    }
}

/// Count and sum only: the smallest partial (16 bytes), for high-cardinality keys
/// where `Summary`'s 64 bytes per (key, window) matter.
public struct CountSum: WindowAggregation, Sendable {
    public struct Partial: Sendable, Codable, Hashable {
        public var count: Int64 = 0
        public var sum: Double = 0
        @inlinable public init() {}
    }

    @inlinable public init() {}
    @inlinable public var empty: Partial { Partial() }

    @inlinable public func add(_ input: Double, eventTime: Int64, to partial: inout Partial) {
        partial.count += 1
        partial.sum += input
    }

    @inlinable public func merge(_ a: Partial, _ b: Partial) -> Partial {
        var merged = a
        merged.count += b.count
        merged.sum += b.sum
        return merged
    }

    @inlinable public func result(_ partial: Partial) -> Partial { partial }
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
///
/// A plain value (for plain keys and partials), so results are copied as bytes.
public struct WindowResult<Key, Aggregation: WindowAggregation> {
    public enum Emission: Sendable, Equatable {
        /// The window changed (update mode); it is still open.
        case update
        /// The window closed; this is its last result.
        case final
        /// The window no longer exists: a session grew or merged into another, reported
        /// next (update mode). A sink deletes what it wrote for these bounds.
        case retraction
    }

    public var key: Key
    public var window: WindowBounds
    /// The window's whole partial aggregate so far (empty for a retraction).
    public var partial: Aggregation.Partial
    public var value: Aggregation.Output
    /// In update mode: what changed since this window's previous result, to add to
    /// what was written before. Nil for sessions, whose bounds move (see `.retraction`).
    public var delta: Aggregation.Partial?
    public var emission: Emission

    /// True for the result emitted when the window closed.
    @inlinable public var isFinal: Bool { emission == .final }

    @inlinable
    public init(key: Key, window: WindowBounds, partial: Aggregation.Partial, value: Aggregation.Output,
                delta: Aggregation.Partial?, emission: Emission) {
        self.key = key
        self.window = window
        self.partial = partial
        self.value = value
        self.delta = delta
        self.emission = emission
    }
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
