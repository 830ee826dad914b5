/// The database for postgres sinks and window checkpoints.
public struct PostgresSection: Sendable, Equatable {
    /// A libpq URL. It may hold a password: log it through `Redaction.redact(url:)`.
    public var url: String

    public init(url: String) {
        self.url = url
    }
}
