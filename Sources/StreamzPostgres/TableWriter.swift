import Logging
import Streamz

/// Writes batches of rows to one table: one `INSERT … SELECT … FROM unnest(…)` per
/// batch, retried through lost connections, split in halves to isolate the rows
/// PostgreSQL rejects. Never throws: it returns the rejected rows by position.
final class TableWriter: Sendable {
    private let client: PostgresClient
    private let tableName: String
    private let table: String
    private let columns: [String]
    private let quotedColumns: [String]
    private let keyColumns: [Int]?
    /// Built at the first write, once the column types are known; forgotten after a
    /// failure that may mean the table changed. (The sink runs one write at a time;
    /// the lock is what lets the compiler see that.)
    private let statement = Locked<String?>(nil)
    private let logger = Logger(label: "streamz.postgres.sink")

    init(client: PostgresClient, table: String, columns: [String], keyColumns: [Int]?) throws {
        self.client = client
        self.tableName = table
        self.table = try SQLIdentifier.qualified(table)
        self.columns = columns
        self.quotedColumns = try columns.map(SQLIdentifier.quote)
        self.keyColumns = keyColumns
    }

    func write(_ rows: [[String?]]) async -> [Int: PostgresError] {
        var rejections: [Int: PostgresError] = [:]
        var valid: [Int] = []
        for (position, row) in rows.enumerated() {
            if row.count == columns.count {
                valid.append(position)
            } else {
                rejections[position] = PostgresError(
                    kind: .permanent, sqlState: nil,
                    message: "expected \(columns.count) values (\(columns.joined(separator: ", "))), got \(row.count)")
            }
        }
        let groups = keyColumns.map { keys in
            groupByConflictKey(valid.map { rows[$0] }, keyColumns: keys).map { $0.map { valid[$0] } }
        } ?? valid.map { [$0] }
        await write(groups[...], of: rows, rejections: &rejections)
        return rejections
    }

    /// Writes the last version of each group; on a rejection, splits until the rejected
    /// row is alone, then falls back to its key's previous version, if any.
    private func write(_ groups: ArraySlice<[Int]>, of rows: [[String?]], rejections: inout [Int: PostgresError]) async {
        guard let first = groups.first else { return }
        guard let error = await execute(groups.map { rows[$0.last!] }) else { return }
        if groups.count > 1 {
            let middle = groups.startIndex + groups.count / 2
            await write(groups[..<middle], of: rows, rejections: &rejections)
            await write(groups[middle...], of: rows, rejections: &rejections)
        } else {
            var versions = first
            rejections[versions.removeLast()] = error
            if !versions.isEmpty { await write([versions][...], of: rows, rejections: &rejections) }
        }
    }

    /// Runs the statement for `rows` until it commits (nil) or PostgreSQL blames the
    /// rows for its failure (that error).
    private func execute(_ rows: [[String?]]) async -> PostgresError? {
        var attempt = 0
        while true {
            do {
                let sql = try await statementText()
                let arrays: [any PostgresBindable] = columns.indices.map { column in
                    var array = PostgresArray()
                    for row in rows { array.append(text: row[column]) }
                    return array
                }
                _ = try await client.retrying { try await client.query(sql, arrays) }
                return nil
            } catch let error as PostgresError where Self.blamesRows(error) {
                return error
            } catch {
                // No row is to blame, so dead-lettering would send every row of every
                // batch to the DLQ. Holding them holds the offsets: the pipeline waits,
                // loudly, until the table is fixed, and loses nothing.
                logger.error("\(tableName): writing failed, retrying: \(error)")
                statement.withLock { $0 = nil }
                try? await Task.sleep(for: client.backoff.delay(attempt: attempt))
                attempt += 1
            }
        }
    }

    /// Whether a permanent failure is about the data, so splitting the batch isolates
    /// the culprit. Classes 42 (undefined table or column, permission, no unique index
    /// for ON CONFLICT), 3F (schema), 0A (unsupported), 28 (authorization), 55 (object
    /// state), 58 and XX (server trouble) are about the statement or the server: every
    /// row would fail the same way.
    static func blamesRows(_ error: PostgresError) -> Bool {
        guard let state = error.sqlState, state.count == 5 else { return true }
        return !["42", "3F", "0A", "28", "55", "58", "XX"].contains(String(state.prefix(2)))
    }

    private func statementText() async throws -> String {
        if let cached = statement.withLock({ $0 }) { return cached }
        let types = try await columnTypes()
        let targets = quotedColumns.joined(separator: ", ")
        let arrays = columns.indices.map { "$\($0 + 1)::text[]" }.joined(separator: ", ")
        // unnest yields text; each column is cast to its own type so that the values
        // are parsed by the column's type, and errors name that type.
        let casts = zip(quotedColumns, types).map { "u.\($0)::\($1)" }.joined(separator: ", ")
        var sql = "INSERT INTO \(table) (\(targets)) SELECT \(casts) FROM unnest(\(arrays)) AS u(\(targets))"
        if let keyColumns {
            let keys = keyColumns.map { quotedColumns[$0] }.joined(separator: ", ")
            let updates = quotedColumns.indices.filter { !keyColumns.contains($0) }
                .map { "\(quotedColumns[$0]) = EXCLUDED.\(quotedColumns[$0])" }
            sql += updates.isEmpty
                ? " ON CONFLICT (\(keys)) DO NOTHING"
                : " ON CONFLICT (\(keys)) DO UPDATE SET \(updates.joined(separator: ", "))"
        }
        statement.withLock { $0 = sql }
        return sql
    }

    /// The columns' types, read from the catalog at the first write rather than
    /// declared in the options: the table is the one authority on them, and a declared
    /// list would drift from it. pg_attribute with format_type rather than
    /// information_schema, whose data_type says only "ARRAY" or "USER-DEFINED" for
    /// arrays, enums and domains; format_type quotes what needs quoting. The type
    /// modifier is left out (varchar, not varchar(20)): an explicit cast to
    /// varchar(20) silently truncates, where assigning to the column rejects the row.
    private func columnTypes() async throws -> [String] {
        let rows = try await client.retrying {
            try await client.query("""
                SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type FROM pg_attribute a
                WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
                """, [table])
        }
        var types: [String: String] = [:]
        for row in 0..<rows.count {
            if let name = rows[row, "name"], let type = rows[row, "type"] { types[name] = type }
        }
        return try columns.map { column in
            guard let type = types[column] else {
                throw PostgresError(kind: .permanent, sqlState: "42703",
                                    message: "column \(column.debugDescription) of \(tableName) does not exist")
            }
            return type
        }
    }
}
