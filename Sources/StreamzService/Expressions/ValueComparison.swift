/// Equality and ordering as expressions see them: numbers compare by value across int
/// and double, strings by Unicode scalar values (their UTF-8 bytes).
enum ValueComparison {
    /// Any two values; different types are simply unequal.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return compare(x, y) == 0
        case (.string(let x), .string(let y)): return UTF8Bytes.equal(x, y)
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (key, value) in x {
                guard let other = y[key], equal(value, other) else { return false }
            }
            return true
        default: return false
        }
    }

    /// The sign of `a - b` for two numbers or two strings; nil when unordered (NaN).
    static func order(_ a: JSONValue, _ b: JSONValue, for op: BinaryOperator) throws(EvaluationError) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.double(let x), .double(let y)):
            if x.isNaN || y.isNaN { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        case (.int(let x), .double(let y)): return compare(x, y)
        case (.double(let x), .int(let y)): return compare(y, x).map { -$0 }
        case (.string(let x), .string(let y)): return UTF8Bytes.compare(x, y)
        default:
            throw EvaluationError(
                "'\(op.symbol)' needs two numbers or two strings, got \(a.typeName) and \(b.typeName)")
        }
    }

    /// The sign of `x - y`, exactly: converting a large Int64 to Double would round.
    static func compare(_ x: Int64, _ y: Double) -> Int? {
        if y.isNaN { return nil }
        if y >= 9_223_372_036_854_775_808.0 { return -1 }
        if y < -9_223_372_036_854_775_808.0 { return 1 }
        let whole = y.rounded(.towardZero)
        let truncated = Int64(whole)
        if x != truncated { return x < truncated ? -1 : 1 }
        let fraction = y - whole
        return fraction > 0 ? -1 : (fraction < 0 ? 1 : 0)
    }
}
