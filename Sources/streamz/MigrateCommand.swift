import ArgumentParser
import Foundation
import StreamzPostgres

/// `streamz migrate`: applies the service's own tables (offsets, window state) to a
/// database, as `streamz run` will at start-up, so they can be applied ahead of a
/// deploy or from an init container.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations to PostgreSQL.",
        discussion: """
            Applies every NNNN_description.sql in the migrations directory that the \
            database has not recorded yet, in order, each in its own transaction, and \
            prints the versions applied. Applied migrations are recorded in the table \
            streamz_migrations; an advisory lock makes replicas that start together \
            apply each one once. Running it again applies nothing.

            The migrations directory is, in order: --migrations; $STREAMZ_MIGRATIONS; \
            /usr/share/streamz/migrations if it exists (the Docker image puts them \
            there); ./migrations.

            Example:
              streamz migrate --database-url postgresql://streamz@127.0.0.1:5432/streamz
            """)

    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "libpq connection URL or key=value string (default: $DATABASE_URL).",
            valueName: "url"))
    var databaseURL: String?

    @Option(
        name: .customLong("migrations"),
        help: ArgumentHelp(
            "Directory of NNNN_description.sql files (default: $STREAMZ_MIGRATIONS,"
                + " else /usr/share/streamz/migrations if it exists, else ./migrations).",
            valueName: "dir"))
    var migrationsDirectory: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let url = nonEmpty(databaseURL) ?? nonEmpty(environment["DATABASE_URL"]) else {
            throw MigrateFailure("no database: pass --database-url or set DATABASE_URL")
        }
        let (directory, source) = try Self.migrationsDirectory(explicit: migrationsDirectory, environment: environment)
        let migrator: Migrator
        do {
            migrator = try Migrator(directory: directory)
        } catch {
            throw MigrateFailure("\(error) (from \(source))")
        }
        guard !migrator.migrations.isEmpty else {
            throw MigrateFailure("no NNNN_description.sql files in \(directory.path)")
        }

        let client = PostgresClient(url: url)
        defer { client.close() }
        let applied: [Int]
        do {
            applied = try await migrator.migrate(client)
        } catch {
            throw MigrateFailure("migrating failed: \(error)")
        }
        if applied.isEmpty {
            let latest = migrator.migrations.last!
            print("streamz migrate: no pending migrations; the database is at version \(latest.version) (\(latest.name))")
            return
        }
        print("streamz migrate: applied \(applied.count) migration(s) from \(directory.path):")
        for migration in migrator.migrations where applied.contains(migration.version) {
            print("  \(migration.version) \(migration.name)")
        }
    }

    /// Where the migrations are when `--migrations` is not given; the first choice that
    /// is set wins, so a wrong `$STREAMZ_MIGRATIONS` is an error, not a fallback.
    /// Also returns where the choice came from, for error messages.
    static func migrationsDirectory(explicit: String?, environment: [String: String]) throws -> (URL, String) {
        if let path = nonEmpty(explicit) {
            return (URL(fileURLWithPath: path, isDirectory: true), "--migrations")
        }
        if let path = nonEmpty(environment["STREAMZ_MIGRATIONS"]) {
            return (URL(fileURLWithPath: path, isDirectory: true), "$STREAMZ_MIGRATIONS")
        }
        for path in ["/usr/share/streamz/migrations", "migrations"] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                return (URL(fileURLWithPath: path, isDirectory: true), "the default")
            }
        }
        throw MigrateFailure(
            "no migrations directory: pass --migrations DIR or set STREAMZ_MIGRATIONS"
                + " (looked in /usr/share/streamz/migrations and ./migrations)")
    }
}

private func nonEmpty(_ value: String?) -> String? {
    guard let value, !value.isEmpty else { return nil }
    return value
}

/// A failure reported as one line (libpq's messages span several), without usage text.
struct MigrateFailure: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) {
        description = message.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
    }
}
