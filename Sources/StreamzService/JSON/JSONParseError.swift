/// Why a document is not JSON, and where: one line, fit for a dead-letter header.
public struct JSONParseError: Error, CustomStringConvertible, Equatable {
    /// Zero-based byte offset of the offending byte (the input's length at its end).
    public var offset: Int
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}
