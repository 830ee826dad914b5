/// Number arithmetic: int with int stays int and overflow is an error rather than a
/// wrap or a trap; any double makes the result double; `/` always yields a double.
enum Arithmetic {
    static func apply(_ op: BinaryOperator, _ a: JSONValue, _ b: JSONValue) throws(EvaluationError) -> JSONValue {
        switch (a, b) {
        case (.int(let x), .int(let y)): return try integer(op, x, y)
        case (.int(let x), .double(let y)): return try floating(op, Double(x), y)
        case (.double(let x), .int(let y)): return try floating(op, x, Double(y))
        case (.double(let x), .double(let y)): return try floating(op, x, y)
        default:
            let wanted = op == .add ? "two numbers or two strings" : "two numbers"
            throw EvaluationError("'\(op.symbol)' needs \(wanted), got \(a.typeName) and \(b.typeName)")
        }
    }

    private static func integer(_ op: BinaryOperator, _ x: Int64, _ y: Int64) throws(EvaluationError) -> JSONValue {
        if let result = integerWithOverflow(op, x, y) {
            guard !result.overflow else { throw EvaluationError("integer overflow in \(x) \(op.symbol) \(y)") }
            return .int(result.partialValue)
        }
        guard y != 0 else { throw EvaluationError("division by zero") }
        if op == .divide { return .double(Double(x) / Double(y)) }
        // Int64.min % -1 only "overflows" in the quotient; the remainder is 0.
        return .int(x.remainderReportingOverflow(dividingBy: y).partialValue)
    }

    /// `+`, `-` and `*` of two integers, with whether they overflowed; nil for the
    /// other operators.
    @inline(__always)
    static func integerWithOverflow(_ op: BinaryOperator, _ x: Int64, _ y: Int64) -> (partialValue: Int64, overflow: Bool)? {
        switch op {
        case .add: x.addingReportingOverflow(y)
        case .subtract: x.subtractingReportingOverflow(y)
        case .multiply: x.multipliedReportingOverflow(by: y)
        default: nil
        }
    }

    private static func floating(_ op: BinaryOperator, _ x: Double, _ y: Double) throws(EvaluationError) -> JSONValue {
        let result: Double
        switch op {
        case .add: result = x + y
        case .subtract: result = x - y
        case .multiply: result = x * y
        case .divide:
            guard y != 0 else { throw EvaluationError("division by zero") }
            result = x / y
        default:
            guard y != 0 else { throw EvaluationError("division by zero") }
            result = x.truncatingRemainder(dividingBy: y)
        }
        // JSON cannot carry infinities: fail here rather than write null downstream.
        guard result.isFinite else { throw EvaluationError("double overflow in \(x) \(op.symbol) \(y)") }
        return .double(result)
    }
}
