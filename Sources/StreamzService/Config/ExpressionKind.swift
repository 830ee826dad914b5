/// Where an expression sits, so the expression checker can allow what fits there
/// (aggregate calls only in `aggregate`, a boolean for `filter`).
public enum ExpressionKind: Sendable, Equatable, Hashable {
    case filter
    case mapValue
    case sinkKey
    case windowKey
    case aggregate
}
