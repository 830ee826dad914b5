/// An expression as written in the config, with where it was written: the expression
/// parser runs later, and its errors must still point into the YAML.
public struct ExpressionText: Sendable, Equatable {
    /// After environment interpolation.
    public var text: String
    /// The position of the YAML scalar (its opening quote, when quoted).
    public var line: Int
    public var column: Int
    /// The config path, e.g. "pipelines[0].steps[0].filter".
    public var field: String

    public init(text: String, line: Int = 0, column: Int = 0, field: String = "") {
        self.text = text
        self.line = line
        self.column = column
        self.field = field
    }
}
