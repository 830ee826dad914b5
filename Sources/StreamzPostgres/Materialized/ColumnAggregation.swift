import Streamz

/// What a column of a window table computes.
public enum AggregateFunction: String, Sendable, Codable, CaseIterable {
    case count, sum, min, max, avg
}

/// One aggregate column: `views: count()`, `total: sum(value)`.
public struct AggregateColumn: Sendable, Equatable {
    public var name: String
    public var function: AggregateFunction
    /// Which of the record's values it reads (`0..<ColumnAggregation.maxInputs`);
    /// count reads none.
    public var input: Int

    public init(_ name: String, _ function: AggregateFunction, input: Int = 0) {
        self.name = name
        self.function = function
        self.input = input
    }
}

/// count, and sum, min and max of up to four values per record, in one fixed-size
/// partial: no allocation per record or per window, and every column of a table
/// (avg too, as sum and count) derives from it. Partials add up, which is what lets
/// deltas and per-partition results merge in the table.
public struct ColumnAggregation: WindowAggregation, Sendable {
    public static let maxInputs = 4
    public typealias Input = SIMD4<Double>

    public struct Partial: Sendable, Equatable {
        public var count: Int64 = 0
        public var sum = SIMD4<Double>()
        public var min = SIMD4<Double>(repeating: .infinity)
        public var max = SIMD4<Double>(repeating: -.infinity)

        @inlinable public init() {}
    }

    @inlinable public init() {}

    @inlinable public var empty: Partial { Partial() }

    @inlinable public func add(_ input: Input, eventTime: Int64, to partial: inout Partial) {
        partial.count += 1
        partial.sum += input
        partial.min = pointwiseMin(partial.min, input)
        partial.max = pointwiseMax(partial.max, input)
    }

    @inlinable public func merge(_ a: Partial, _ b: Partial) -> Partial {
        var merged = a
        merged.count += b.count
        merged.sum += b.sum
        merged.min = pointwiseMin(a.min, b.min)
        merged.max = pointwiseMax(a.max, b.max)
        return merged
    }

    @inlinable public func result(_ partial: Partial) -> Partial { partial }
}
