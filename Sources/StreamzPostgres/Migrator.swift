import Foundation

/// One forward-only migration: `NNNN_description.sql`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    /// FNV-1a of the SQL: an applied migration whose file later changed is an error,
    /// not something to apply twice or ignore.
    public var checksum: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return String(hash, radix: 16)
    }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case badFileName(String)
    case duplicateVersion(Int)
    case changedAfterApplying(version: Int, name: String)
    case directoryNotFound(String)

    public var description: String {
        switch self {
        case .badFileName(let name): return "migration file \(name) is not named NNNN_description.sql"
        case .duplicateVersion(let version): return "two migrations have version \(version)"
        case .changedAfterApplying(let version, let name):
            return "migration \(version) (\(name)) was applied, and its file has changed since"
        case .directoryNotFound(let path): return "no migrations directory at \(path)"
        }
    }
}

/// Applies the service's migrations: numbered, forward-only, each in its own
/// transaction, recorded in `streamz_migrations`, and serialised by an advisory lock
/// so replicas starting together do not race.
public struct Migrator: Sendable {
    /// The advisory lock key: fixed, so every replica contends for the same lock.
    public static let lockKey: Int64 = 0x5354_524d_5a5f_4d47  // "STRMZ_MG"

    public let migrations: [Migration]

    public init(migrations: [Migration]) throws {
        var seen = Set<Int>()
        for migration in migrations where !seen.insert(migration.version).inserted {
            throw MigrationError.duplicateVersion(migration.version)
        }
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Loads every `NNNN_*.sql` in `directory`.
    public init(directory: URL) throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
            throw MigrationError.directoryNotFound(directory.path)
        }
        var loaded: [Migration] = []
        for name in names where name.hasSuffix(".sql") {
            let stem = name.dropLast(4)
            guard let separator = stem.firstIndex(of: "_"), let version = Int(stem[..<separator]), version > 0 else {
                throw MigrationError.badFileName(name)
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            loaded.append(Migration(version: version, name: String(stem[stem.index(after: separator)...]), sql: sql))
        }
        try self.init(migrations: loaded)
    }

    /// Applies what is pending; returns the versions applied now.
    @discardableResult
    public func migrate(_ client: PostgresClient) async throws -> [Int] {
        try await client.transaction { transaction in
            // Transaction-scoped: released at COMMIT, even if this process dies.
            try await transaction.query("SELECT pg_advisory_xact_lock($1)", [Self.lockKey])
            try await transaction.execute("""
                CREATE TABLE IF NOT EXISTS streamz_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let rows = try await transaction.query("SELECT version, checksum FROM streamz_migrations")
            var applied: [Int: String] = [:]
            for index in 0..<rows.count {
                if let version = rows.int(index, "version"), let checksum = rows[index, "checksum"] {
                    applied[Int(version)] = checksum
                }
            }
            var appliedNow: [Int] = []
            for migration in migrations {
                if let checksum = applied[migration.version] {
                    guard checksum == migration.checksum else {
                        throw MigrationError.changedAfterApplying(version: migration.version, name: migration.name)
                    }
                    continue
                }
                try await transaction.execute(migration.sql)
                try await transaction.query(
                    "INSERT INTO streamz_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    [migration.version, migration.name, migration.checksum])
                appliedNow.append(migration.version)
            }
            return appliedNow
        }
    }
}
