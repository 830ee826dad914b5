/// A configuration problem, reported before anything connects.
///
/// `description` is one line an editor can jump to:
/// `pipeline.yaml:14:17: pipelines[0].source.format: unknown value 'xml' (expected json, text or bytes)`.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var file: String
    /// 1-based; nil when the problem has no place in the file (unreadable, empty).
    public var line: Int?
    /// 1-based, in Unicode scalars (libyaml's count).
    public var column: Int?
    /// The config path, e.g. "pipelines[0].source.format"; nil for YAML syntax errors
    /// and problems with the file as a whole.
    public var field: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        let field = field.map { "\($0): " } ?? ""
        // One line, whatever the message carries (libyaml's problems, file system errors).
        let message = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "\(location): \(field)\(message)"
    }
}
