/// How record values are read.
public enum PayloadFormat: String, Sendable, Equatable, CaseIterable {
    /// A JSON object; expressions read its fields.
    case json
    /// UTF-8 text, exposed to expressions as the field `value`.
    case text
    /// Opaque bytes, passed through.
    case bytes
}
