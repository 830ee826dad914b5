/// One aggregate of a window step: `views: "count()"`.
public struct AggregateSpec: Sendable, Equatable {
    /// A column name in the output ([A-Za-z_][A-Za-z0-9_]{0,62}, PostgreSQL's identifier limit).
    public var name: String
    public var call: ExpressionText

    public init(name: String, call: ExpressionText) {
        self.name = name
        self.call = call
    }
}
