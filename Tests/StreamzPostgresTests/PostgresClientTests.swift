import Foundation
import Testing
@testable import StreamzPostgres

@Suite struct PostgresClientTests {
    @Test func valuesAreBoundNeverSpliced() async throws {
        guard let url = serverURLForTests() else { return }
        let client = PostgresClient(url: url)
        defer { client.close() }
        let hostile = ["'; DROP TABLE streamz_offsets; --", "", "naïve ☃ \u{1F600}", "a\\b\"c", String(repeating: "x", count: 100_000)]
        for value in hostile {
            let rows = try await client.query("SELECT $1::text AS v, length($1::text) AS n", [value])
            #expect(rows[0, "v"] == value)
            #expect(rows.int(0, "n") == Int64(value.count))
        }
        let nulls = try await client.query("SELECT $1::int IS NULL AS missing", [Int?.none])
        #expect(nulls[0, "missing"] == "t")
        let special = try await client.query("SELECT $1::float8 AS a, $2::float8 AS b", [Double.nan, -Double.infinity])
        #expect(special[0, "a"] == "NaN" && special[0, "b"] == "-Infinity")
    }

    @Test func identifiersAreQuoted() async throws {
        guard let url = serverURLForTests() else { return }
        let client = PostgresClient(url: url)
        defer { client.close() }
        let table = try SQLIdentifier.quote("t \"odd\"; DROP TABLE x; -- \(UUID().uuidString.prefix(6))")
        try await client.query("CREATE TABLE \(table) (\(try SQLIdentifier.quote("my key")) text PRIMARY KEY)")
        try await client.query("INSERT INTO \(table) VALUES ($1)", ["k"])
        #expect(try await client.query("SELECT * FROM \(table)").rows == [["k"]])
        try await client.query("DROP TABLE \(table)")
        #expect(throws: PostgresError.self) { try SQLIdentifier.quote("nul\u{0}byte") }
        #expect(throws: PostgresError.self) { try SQLIdentifier.quote(String(repeating: "n", count: 64)) }
        #expect(throws: PostgresError.self) { try SQLIdentifier.quote("") }
    }

    @Test func errorsAreClassified() async throws {
        guard let url = serverURLForTests() else { return }
        let client = PostgresClient(url: url)
        defer { client.close() }
        let table = try SQLIdentifier.quote("unique_\(UUID().uuidString.prefix(6))")
        try await client.query("CREATE TEMP TABLE \(table) (k int PRIMARY KEY)")
        try await client.query("INSERT INTO \(table) VALUES (1)")
        do {
            try await client.query("INSERT INTO \(table) VALUES (1)")
            Issue.record("a duplicate key must fail")
        } catch let error as PostgresError {
            #expect(error.sqlState == "23505" && error.kind == .permanent)
        }
        do {
            try await client.query("SELECT $1::int", ["not a number"])
            Issue.record("a bad integer must fail")
        } catch let error as PostgresError {
            #expect(error.sqlState == "22P02" && error.kind == .permanent)
        }
        do {
            try await client.query("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$")
            Issue.record("must fail")
        } catch let error as PostgresError {
            #expect(error.sqlState == "40001" && error.kind == .retryable)
        }
        let unreachable = PostgresClient(url: "postgresql://postgres@127.0.0.1:1/x?connect_timeout=2")
        do {
            try await unreachable.query("SELECT 1")
            Issue.record("nothing listens on port 1")
        } catch let error as PostgresError {
            #expect(error.kind == .retryable)
        }
    }

    @Test func transactionsCommitOrRollBack() async throws {
        guard let url = serverURLForTests() else { return }
        let client = PostgresClient(url: url)
        defer { client.close() }
        let table = try SQLIdentifier.quote("tx_\(UUID().uuidString.prefix(6))")
        try await client.query("CREATE TABLE \(table) (v int)")
        try await client.transaction { try await $0.query("INSERT INTO \(table) VALUES (1)") }
        struct Abort: Error {}
        await #expect(throws: Abort.self) {
            try await client.transaction { transaction in
                try await transaction.query("INSERT INTO \(table) VALUES (2)")
                throw Abort()
            }
        }
        #expect(try await client.query("SELECT v FROM \(table)").rows == [["1"]])
        try await client.query("DROP TABLE \(table)")
    }

    @Test func aLostConnectionIsRetryableAndTheNextCallReconnects() async throws {
        guard let url = serverURLForTests() else { return }
        let client = PostgresClient(url: url, backoff: Backoff(initial: .milliseconds(10), maximum: .milliseconds(50)))
        let killer = PostgresClient(url: url)
        defer { client.close(); killer.close() }
        let pid = try #require(try await client.query("SELECT pg_backend_pid() AS pid").int(0, "pid"))
        try await killer.query("SELECT pg_terminate_backend($1)", [pid])
        do {
            try await client.query("SELECT 1")
            Issue.record("the backend was terminated")
        } catch let error as PostgresError {
            #expect(error.kind == .retryable)
        }
        let rows = try await client.retrying { try await client.query("SELECT pg_backend_pid() AS pid") }
        #expect(rows.int(0, "pid") != pid, "a new connection")
    }
}

@Suite struct MigratorTests {
    static var repositoryMigrations: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("migrations")
    }

    @Test func appliesTheRepositoryMigrationsOnceAndInOrder() async throws {
        guard let base = serverURLForTests() else { return }
        let (url, name) = try await freshDatabase(base)
        let client = PostgresClient(url: url)
        let migrator = try Migrator(directory: Self.repositoryMigrations)
        #expect(migrator.migrations.map(\.version) == [1, 2, 3])
        #expect(try await migrator.migrate(client) == [1, 2, 3])
        #expect(try await migrator.migrate(client) == [])
        let tables = try await client.query("""
            SELECT table_name FROM information_schema.tables
            WHERE table_name LIKE 'streamz_%' ORDER BY table_name
            """)
        #expect(tables.rows.map { $0[0] } == ["streamz_migrations", "streamz_offsets", "streamz_window_state"])
        client.close()
        await dropDatabase(base, name)
    }

    @Test func replicasStartingTogetherApplyEachMigrationOnce() async throws {
        guard let base = serverURLForTests() else { return }
        let (url, name) = try await freshDatabase(base)
        let migrator = try Migrator(directory: Self.repositoryMigrations)
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let client = PostgresClient(url: url)
                    defer { client.close() }
                    return try await migrator.migrate(client)
                }
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(applied.sorted() == [1, 2, 3], "the advisory lock let exactly one replica apply them")
        await dropDatabase(base, name)
    }

    @Test func aChangedMigrationIsAnErrorNotARerun() async throws {
        guard let base = serverURLForTests() else { return }
        let (url, name) = try await freshDatabase(base)
        let client = PostgresClient(url: url)
        try await Migrator(migrations: [Migration(version: 1, name: "t", sql: "CREATE TABLE t (a int)")]).migrate(client)
        let changed = try Migrator(migrations: [Migration(version: 1, name: "t", sql: "CREATE TABLE t (a bigint)")])
        await #expect(throws: MigrationError.changedAfterApplying(version: 1, name: "t")) { try await changed.migrate(client) }
        #expect(throws: MigrationError.duplicateVersion(1)) {
            _ = try Migrator(migrations: [Migration(version: 1, name: "a", sql: ""), Migration(version: 1, name: "b", sql: "")])
        }
        client.close()
        await dropDatabase(base, name)
    }
}
