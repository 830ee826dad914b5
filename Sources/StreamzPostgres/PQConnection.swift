import CLibPQ
import Dispatch
import Foundation

/// One libpq connection. Every libpq call runs on the connection's own serial queue
/// (a GCD thread, never Swift's cooperative pool); the async API hops there and back.
/// Only this file and `PostgresConnection` touch libpq.
final class PQConnection: @unchecked Sendable {
    // @unchecked: `connection` is only used on `queue`.
    private var connection: OpaquePointer?
    let queue: DispatchQueue

    private init(connection: OpaquePointer, label: String) {
        self.connection = connection
        self.queue = DispatchQueue(label: label)
    }

    deinit {
        if let connection { PQfinish(connection) }
    }

    /// Connects with a libpq URL or key=value string: sslmode and every other libpq
    /// option work as libpq documents them.
    static func connect(_ url: String) async throws -> PQConnection {
        let queue = DispatchQueue(label: "streamz.pq-connect")
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                guard let connection = PQconnectdb(url) else {
                    return continuation.resume(throwing: PostgresError(kind: .retryable, sqlState: nil, message: "out of memory"))
                }
                guard PQstatus(connection) == CONNECTION_OK else {
                    let message = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
                    PQfinish(connection)
                    // A refused or dropped connection may succeed later; a bad password or
                    // database name will not, but libpq reports both as CONNECTION_BAD,
                    // so the message decides.
                    let permanent = message.contains("password authentication failed")
                        || message.contains("does not exist") || message.contains("invalid")
                    return continuation.resume(throwing: PostgresError(kind: permanent ? .permanent : .retryable,
                                                                       sqlState: "08001", message: message))
                }
                continuation.resume(returning: PQConnection(connection: connection, label: "streamz.pq"))
            }
        }
    }

    var isHealthy: Bool {
        queue.sync { connection.map { PQstatus($0) == CONNECTION_OK } ?? false }
    }

    /// Runs `sql` with `parameters` bound (text format). One statement.
    func query(_ sql: String, _ parameters: [String?]) async throws -> PostgresRows {
        try await onQueue { connection in
            let result = Self.withCStrings(parameters) { values in
                PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
            }
            return try Self.rows(from: result, connection: connection)
        }
    }

    /// Runs one or more statements with no parameters (migrations).
    func execute(_ sql: String) async throws {
        _ = try await onQueue { connection in
            try Self.rows(from: PQexec(connection, sql), connection: connection)
        }
    }

    func close() {
        queue.sync {
            if let connection { PQfinish(connection) }
            connection = nil
        }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                guard let connection else {
                    return continuation.resume(throwing: PostgresError(kind: .retryable, sqlState: "08003",
                                                                       message: "connection is closed"))
                }
                continuation.resume(with: Result { try body(connection) })
            }
        }
    }

    private static func withCStrings<R>(_ values: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = values.map { $0.map { strdup($0) } ?? nil }
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(1, values.count)) {
                body(values.isEmpty ? nil : $0)
            }
        }
    }

    private static func rows(from result: OpaquePointer?, connection: OpaquePointer) throws -> PostgresRows {
        guard let result else {
            throw PostgresError(kind: .retryable, sqlState: nil, message: String(cString: PQerrorMessage(connection)))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            let columnCount = Int(PQnfields(result))
            let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
            var rows: [[String?]] = []
            rows.reserveCapacity(Int(PQntuples(result)))
            for row in 0..<PQntuples(result) {
                rows.append((0..<Int32(columnCount)).map { column in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                })
            }
            return PostgresRows(columns: columns, rows: rows, affected: Int(String(cString: PQcmdTuples(result))) ?? 0)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
            let lost = PQstatus(connection) != CONNECTION_OK
            throw PostgresError(kind: lost ? .retryable : PostgresError.classify(sqlState: state),
                                sqlState: state ?? (lost ? "08006" : nil), message: message)
        }
    }
}
