/// The operators that evaluate both operands (`&&` and `||` short-circuit instead).
enum BinaryOperator: Sendable {
    case add, subtract, multiply, divide, remainder
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual

    init?(_ symbol: ExpressionSymbol) {
        switch symbol {
        case .plus: self = .add
        case .minus: self = .subtract
        case .star: self = .multiply
        case .slash: self = .divide
        case .percent: self = .remainder
        case .equal: self = .equal
        case .notEqual: self = .notEqual
        case .less: self = .less
        case .lessOrEqual: self = .lessOrEqual
        case .greater: self = .greater
        case .greaterOrEqual: self = .greaterOrEqual
        default: return nil
        }
    }

    var symbol: String {
        switch self {
        case .add: "+"
        case .subtract: "-"
        case .multiply: "*"
        case .divide: "/"
        case .remainder: "%"
        case .equal: "=="
        case .notEqual: "!="
        case .less: "<"
        case .lessOrEqual: "<="
        case .greater: ">"
        case .greaterOrEqual: ">="
        }
    }

    func apply(_ a: JSONValue, _ b: JSONValue) throws(EvaluationError) -> JSONValue {
        switch self {
        case .equal: return .bool(ValueComparison.equal(a, b))
        case .notEqual: return .bool(!ValueComparison.equal(a, b))
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            // NaN is unordered: every ordering comparison with it is false.
            guard let order = try ValueComparison.order(a, b, for: self) else { return .bool(false) }
            switch self {
            case .less: return .bool(order < 0)
            case .lessOrEqual: return .bool(order <= 0)
            case .greater: return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case .add:
            if case .string(let x) = a, case .string(let y) = b { return .string(x + y) }
            return try Arithmetic.apply(self, a, b)
        case .subtract, .multiply, .divide, .remainder:
            return try Arithmetic.apply(self, a, b)
        }
    }
}
