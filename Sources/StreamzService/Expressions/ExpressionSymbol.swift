/// The operators and punctuation of the expression language.
enum ExpressionSymbol: String, Sendable {
    case or = "||", and = "&&"
    case equal = "==", notEqual = "!="
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
    case bang = "!"
    case openParen = "(", closeParen = ")", comma = ",", dot = "."
    case openBracket = "[", closeBracket = "]"

    /// Binding strength of an infix operator, higher binds tighter; nil for the rest.
    var precedence: Int? {
        switch self {
        case .or: 1
        case .and: 2
        case .equal, .notEqual: 3
        case .less, .lessOrEqual, .greater, .greaterOrEqual: 4
        case .plus, .minus: 5
        case .star, .slash, .percent: 6
        default: nil
        }
    }
}
