/// The functions expressions may call. Names and arities are checked at parse time, so a
/// typo in a config fails at startup rather than on every record.
enum BuiltinFunction: String, Sendable, CaseIterable {
    case lower, upper, len, concat, coalesce
    case int, float, str
    case contains
    case startsWith = "starts_with"
    case now

    var arity: ClosedRange<Int> {
        switch self {
        case .now: 0...0
        case .lower, .upper, .len, .int, .float, .str: 1...1
        case .contains, .startsWith: 2...2
        case .concat, .coalesce: 1...Int.max
        }
    }

    var arityDescription: String {
        if arity.upperBound == Int.max { return "at least \(arity.lowerBound) argument\(arity.lowerBound == 1 ? "" : "s")" }
        switch arity.lowerBound {
        case 0: return "no arguments"
        case 1: return "1 argument"
        default: return "\(arity.lowerBound) arguments"
        }
    }
}
