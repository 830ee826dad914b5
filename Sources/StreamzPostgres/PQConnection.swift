import CLibPQ
import Dispatch
import Foundation
import Streamz

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
            queue.async { continuation.resume(with: Result { try connectHere(url) }) }
        }
    }

    /// Connects on the calling thread: for threads of our own only (see
    /// `PostgresClient.blockingQuery`).
    static func connectHere(_ url: String) throws -> PQConnection {
        // gssencmode=disable unless the URL sets it (its own keywords come later and
        // win): libpq's default GSSAPI probe loads Kerberos, whose exit-time
        // teardown races connections still closing and aborts the process
        // (k5_mutex_lock assertion). Kerberos users set gssencmode in their URL.
        let keywords = ["gssencmode", "dbname"], values = ["disable", url]
        let connection = withArrayOfCStrings(keywords) { keywordPointers in
            withArrayOfCStrings(values) { valuePointers in PQconnectdbParams(keywordPointers, valuePointers, 1) }
        }
        guard let connection else {
            throw PostgresError(kind: .retryable, sqlState: nil, message: "out of memory")
        }
        // NOTICEs ("relation … already exists, skipping") are for a terminal;
        // without this libpq prints them on stderr.
        PQsetNoticeProcessor(connection, { _, message in
            if let message { PQLibrary.notices.debug("\(String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines))") }
        }, nil)
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(connection)
            // A refused or dropped connection may succeed later; a bad password or
            // database name will not, but libpq reports both as CONNECTION_BAD,
            // so the message decides.
            let permanent = message.contains("password authentication failed")
                || message.contains("does not exist") || message.contains("invalid")
            throw PostgresError(kind: permanent ? .permanent : .retryable, sqlState: "08001", message: message)
        }
        return PQConnection(connection: connection, label: "streamz.pq")
    }

    /// Whether the last statement left the connection usable. Read without waiting for
    /// the queue: a caller on Swift's cooperative pool must not block behind a statement
    /// that may itself be waiting on a lock (a two-thread pool deadlocks that way).
    var isHealthy: Bool { healthy.withLock { $0 } }
    private let healthy = Locked(true)

    /// Runs `sql` with `parameters` bound (text format). One statement.
    func query(_ sql: String, _ parameters: [String?]) async throws -> PostgresRows {
        // libpq takes C strings: a NUL would silently cut the value short.
        if parameters.contains(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError(kind: .permanent, sqlState: "22021",
                                message: "a parameter contains a NUL byte, which PostgreSQL text cannot hold")
        }
        return try await onQueue { connection in
            let result = Self.withCStrings(parameters) { values in
                PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
            }
            return try self.checked(result, connection)
        }
    }

    /// `query`, blocking the calling thread until the answer: for threads of our own.
    func queryBlocking(_ sql: String, _ parameters: [String?]) throws -> PostgresRows {
        if parameters.contains(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError(kind: .permanent, sqlState: "22021",
                                message: "a parameter contains a NUL byte, which PostgreSQL text cannot hold")
        }
        return try queue.sync {
            guard let connection else {
                throw PostgresError(kind: .retryable, sqlState: "08003", message: "connection is closed")
            }
            let result = Self.withCStrings(parameters) { values in
                PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
            }
            return try self.checked(result, connection)
        }
    }

    /// Runs one or more statements with no parameters (migrations).
    func execute(_ sql: String) async throws {
        _ = try await onQueue { connection in
            try self.checked(PQexec(connection, sql), connection)
        }
    }

    /// Closes after whatever is running on the connection; does not wait for it, for
    /// the same reason as `isHealthy`.
    func close() {
        healthy.withLock { $0 = false }
        queue.async { [self] in
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

    /// The rows of `result`, noting whether the connection survived the statement.
    private func checked(_ result: OpaquePointer?, _ connection: OpaquePointer) throws -> PostgresRows {
        defer { healthy.withLock { $0 = PQstatus(connection) == CONNECTION_OK } }
        return try Self.rows(from: result, connection: connection)
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
            // The primary message and its detail, without libpq's "ERROR:  " prefix
            // and the position lines meant for a terminal.
            let field = { (code: Character) in
                PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
            }
            var message = field("M") ?? String(cString: PQresultErrorMessage(result))
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if let detail = field("D") { message += " (\(detail))" }
            let lost = PQstatus(connection) != CONNECTION_OK
            throw PostgresError(kind: lost ? .retryable : PostgresError.classify(sqlState: state),
                                sqlState: state ?? (lost ? "08006" : nil), message: message)
        }
    }
}

/// NULL-terminated C string arrays, as libpq's *Params functions take them.
private func withArrayOfCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer<CChar>($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
