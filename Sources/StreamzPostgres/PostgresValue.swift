/// A value bound as a statement parameter, in PostgreSQL's text format. Values are
/// always bound, never spliced into SQL.
public protocol PostgresBindable {
    var postgresText: String? { get }
}

extension String: PostgresBindable { public var postgresText: String? { self } }
extension Int: PostgresBindable { public var postgresText: String? { String(self) } }
extension Int64: PostgresBindable { public var postgresText: String? { String(self) } }
extension Int32: PostgresBindable { public var postgresText: String? { String(self) } }
extension Bool: PostgresBindable { public var postgresText: String? { self ? "t" : "f" } }

extension Double: PostgresBindable {
    /// NaN and the infinities are spelled as PostgreSQL reads them.
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return String(self)
    }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    public var postgresText: String? { self?.postgresText }
}

/// Rows of a result, with values as PostgreSQL sent them (text format).
public struct PostgresRows: Sendable {
    public let columns: [String]
    public let rows: [[String?]]
    /// Rows touched by INSERT/UPDATE/DELETE.
    public let affected: Int

    public var count: Int { rows.count }

    public subscript(row: Int, column: String) -> String? {
        guard let index = columns.firstIndex(of: column), row < rows.count else { return nil }
        return rows[row][index]
    }

    public func int(_ row: Int, _ column: String) -> Int64? { self[row, column].flatMap { Int64($0) } }
    public func double(_ row: Int, _ column: String) -> Double? { self[row, column].flatMap { Double($0) } }
}
