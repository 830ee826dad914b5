/// Why an expression failed on one record. The message goes into a dead-letter header,
/// so it stays one short line; record values in it are abbreviated JSON.
public struct EvaluationError: Error, CustomStringConvertible, Equatable {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    /// A record value as it may appear in a message: JSON escaping keeps it on one line.
    static func preview(_ value: JSONValue) -> String {
        let text = value.jsonText
        let limit = 40
        guard text.unicodeScalars.count > limit else { return text }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.prefix(limit))
        return String(scalars) + "…"
    }
}
