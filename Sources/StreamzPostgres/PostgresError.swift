/// A PostgreSQL failure, classified so callers know whether to retry.
public struct PostgresError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Worth retrying, perhaps on a new connection: connection lost, serialization
        /// failure, deadlock, server shutting down, too many connections.
        case retryable
        /// Retrying the same statement fails the same way: constraint or type errors,
        /// bad SQL, permissions.
        case permanent
    }

    public let kind: Kind
    /// The SQLSTATE code, when the server sent one.
    public let sqlState: String?
    public let message: String

    public init(kind: Kind, sqlState: String?, message: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
    }

    public var isRetryable: Bool { kind == .retryable }

    public var description: String {
        "\(sqlState.map { "[\($0)] " } ?? "")\(message)"
    }

    /// Classifies by SQLSTATE: class 08 (connection), 40001 (serialization), 40P01
    /// (deadlock), 53 (insufficient resources), 57P01–57P03 (shutdown, cannot connect
    /// now) and 55P03 (lock not available) are retryable; everything else is not.
    public static func classify(sqlState: String?) -> Kind {
        guard let state = sqlState, state.count == 5 else { return .retryable }
        if state.hasPrefix("08") || state.hasPrefix("53") { return .retryable }
        switch state {
        case "40001", "40P01", "57P01", "57P02", "57P03", "55P03": return .retryable
        default: return .permanent
        }
    }
}
