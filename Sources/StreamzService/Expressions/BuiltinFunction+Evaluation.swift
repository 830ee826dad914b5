extension BuiltinFunction {
    func evaluate(
        _ arguments: [ExpressionNode], _ root: JSONValue, _ context: EvaluationContext
    ) throws(EvaluationError) -> JSONValue {
        switch self {
        case .now:
            return .int(context.nowMillis())
        case .coalesce:
            return try coalesce(arguments, root, context)
        case .concat:
            var result = ""
            for argument in arguments { result += Self.text(of: try argument.evaluate(root, context)) }
            return .string(result)
        case .contains, .startsWith:
            let first = try arguments[0].evaluate(root, context)
            let second = try arguments[1].evaluate(root, context)
            return self == .contains ? try contains(first, second) : try startsWith(first, second)
        case .lower, .upper, .len, .int, .float, .str:
            return try unary(try arguments[0].evaluate(root, context))
        }
    }

    /// The first non-null argument; a field that does not resolve counts as null here,
    /// which is what coalesce is for: `coalesce(user.name, 'anonymous')`.
    private func coalesce(
        _ arguments: [ExpressionNode], _ root: JSONValue, _ context: EvaluationContext
    ) throws(EvaluationError) -> JSONValue {
        for argument in arguments {
            let value = try argument.evaluateOrNull(root, context)
            if case .null = value { continue }
            return value
        }
        return .null
    }

    private func unary(_ value: JSONValue) throws(EvaluationError) -> JSONValue {
        switch (self, value) {
        case (.lower, .string(let s)): return .string(s.lowercased())
        case (.upper, .string(let s)): return .string(s.uppercased())
        case (.lower, _), (.upper, _): throw failure("needs a string, got \(value.typeName)")
        case (.len, .string(let s)): return .int(Int64(s.count))
        case (.len, .array(let a)): return .int(Int64(a.count))
        case (.len, .object(let o)): return .int(Int64(o.count))
        case (.len, _): throw failure("needs a string, array or object, got \(value.typeName)")
        case (.str, _): return .string(Self.text(of: value))
        case (.int, _): return .int(try toInt(value))
        default: return .double(try toDouble(value))
        }
    }

    private func toInt(_ value: JSONValue) throws(EvaluationError) -> Int64 {
        switch value {
        case .int(let n): return n
        case .double(let d): return try truncate(d)
        case .bool(let b): return b ? 1 : 0
        case .string(let s):
            switch NumericString.value(of: s) {
            case .int(let n): return n
            case .double(let d): return try truncate(d)
            default: throw failure("cannot convert \(EvaluationError.preview(value))")
            }
        default: throw failure("cannot convert \(value.typeName)")
        }
    }

    private func truncate(_ d: Double) throws(EvaluationError) -> Int64 {
        guard d.isFinite, d >= -9_223_372_036_854_775_808.0, d < 9_223_372_036_854_775_808.0 else {
            throw failure("cannot convert \(d): out of range")
        }
        return Int64(d)
    }

    private func toDouble(_ value: JSONValue) throws(EvaluationError) -> Double {
        switch value {
        case .int(let n): return Double(n)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        case .string(let s):
            switch NumericString.value(of: s) {
            case .int(let n): return Double(n)
            case .double(let d): return d
            default: throw failure("cannot convert \(EvaluationError.preview(value))")
            }
        default: throw failure("cannot convert \(value.typeName)")
        }
    }

    private func contains(_ haystack: JSONValue, _ needle: JSONValue) throws(EvaluationError) -> JSONValue {
        switch haystack {
        case .string(let s):
            guard case .string(let t) = needle else {
                throw failure("needs a string to look for in a string, got \(needle.typeName)")
            }
            return .bool(UTF8Bytes.contains(s, t))
        case .array(let elements):
            return .bool(elements.contains { ValueComparison.equal($0, needle) })
        default:
            throw failure("needs a string or an array, got \(haystack.typeName)")
        }
    }

    private func startsWith(_ s: JSONValue, _ prefix: JSONValue) throws(EvaluationError) -> JSONValue {
        guard case .string(let text) = s, case .string(let start) = prefix else {
            throw failure("needs two strings, got \(s.typeName) and \(prefix.typeName)")
        }
        return .bool(UTF8Bytes.hasPrefix(text, start))
    }

    /// What `str` and `concat` make of a value: strings as they are, the rest as JSON.
    static func text(of value: JSONValue) -> String {
        if case .string(let s) = value { return s }
        return value.jsonText
    }

    private func failure(_ problem: String) -> EvaluationError {
        EvaluationError("\(rawValue)() \(problem)")
    }
}
