import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Streamz
import StreamzKafka
import StreamzPostgres
import StreamzService

/// The main job on embedded defaults: the embedded broker, a generated clickstream,
/// the enrich and page-views pipelines as `streamz run` runs them, then the table.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the enrich and page-views pipelines on a generated clickstream.",
        discussion: """
            Starts the embedded Kafka broker, produces a clickstream (JSON, with a few \
            malformed records) to `clicks`, and runs two pipelines as `streamz run` does: \
            `enrich` (filter and map, to `clicks-enriched`) and `page_views` (one-minute \
            tumbling windows per page, exactly once into PostgreSQL). Prints progress, \
            then the aggregate table and the topics' counts.

            Needs DATABASE_URL; `make demo` starts a throwaway PostgreSQL for it. The \
            demo replaces its own table (\(DemoConfig.table)) and checkpoints (group \
            \(DemoConfig.groupID)) and touches nothing else.
            """)

    @Option(help: "How many click events to generate.")
    var events = 200_000

    @Option(help: "Seed for the generator, so runs can be compared.")
    var seed: UInt64 = 42

    func validate() throws {
        guard (1...2_000_000).contains(events) else { throw ValidationError("--events must be 1...2000000") }
    }

    func run() async throws {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw ValidationError("set DATABASE_URL to a PostgreSQL database (or run `make demo`, which starts one)")
        }
        bootstrapLogging(level: .warning)
        let (config, plans) = try CheckedConfig.load(text: DemoConfig.yaml, file: "demo.yaml",
                                                     environment: ProcessInfo.processInfo.environment)
        let migrations = try MigrateCommand.migrationsDirectory(explicit: nil, environment: ProcessInfo.processInfo.environment).0
        try await resetDemoState(url: url, migrations: migrations)

        print("streamz demo: \(events) clicks into the embedded broker; pipelines enrich → clicks-enriched, page_views → \(DemoConfig.table)")
        var runner = ServiceRunner(config: config, plans: plans, migrations: migrations)
        runner.progressInterval = .seconds(2)
        let expected = ExpectedDemo(events: events, seed: seed)
        let outcome = Locked<DemoOutcome?>(nil)
        let started = ContinuousClock.now
        try await runner.run { running in
            DemoDriver(running: running, expected: expected, outcome: outcome)
        }
        let elapsed = ContinuousClock.now - started
        guard let result = outcome.withLock({ $0 }) else { throw DemoFailure("the demo was stopped before it finished") }
        try await printReport(url: url, result: result, expected: expected, elapsed: elapsed)
    }

    /// The demo's own table and checkpoints start empty: the embedded broker's
    /// offsets start at 0 again on every run.
    private func resetDemoState(url: String, migrations: URL) async throws {
        let client = PostgresClient(url: url)
        defer { client.close() }
        try await Migrator(directory: migrations).migrate(client)
        try await client.query("DROP TABLE IF EXISTS \(DemoConfig.table)")
        for table in ["streamz_offsets", "streamz_window_state"] {
            try await client.query("DELETE FROM \(table) WHERE pipeline LIKE $1", ["\(DemoConfig.groupID).%"])
        }
    }

    private func printReport(url: String, result: DemoOutcome, expected: ExpectedDemo, elapsed: Duration) async throws {
        let client = PostgresClient(url: url)
        defer { client.close() }
        let rows = try await client.query("""
            SELECT page, window_start, views, total, top FROM \(DemoConfig.table) ORDER BY window_start, page
            """)
        print("")
        print("\(DemoConfig.table): \(rows.count) rows (one per page per minute); first and last 8:")
        print("  page        window_start                  views    total   top")
        let shown = rows.count <= 16 ? Array(0..<rows.count) : Array(0..<8) + Array((rows.count - 8)..<rows.count)
        for index in shown {
            if index == 8, rows.count > 16 { print("  …") }
            let page = (rows[index, "page"] ?? "").padding(toLength: 11, withPad: " ", startingAt: 0)
            let start = (rows[index, "window_start"] ?? "").padding(toLength: 28, withPad: " ", startingAt: 0)
            print("  \(page) \(start) \(pad(rows[index, "views"], 7)) \(pad(rows[index, "total"], 8)) \(pad(rows[index, "top"], 5))")
        }
        let totals = try await client.query("SELECT coalesce(sum(views), 0)::bigint AS views FROM \(DemoConfig.table)")
        let views = totals.int(0, "views") ?? 0
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("")
        print("views in the table:      \(views) (clicks with a valid JSON payload: \(expected.valid))")
        print("clicks-enriched:         \(result.enriched) records (expected \(expected.enriched))")
        print("clicks-dlq:              \(result.deadLetters) records (malformed clicks: \(expected.malformed), seen by both pipelines)")
        print(String(format: "elapsed:                 %.1f s", seconds))
        guard views == expected.valid, result.enriched == expected.enriched,
              result.deadLetters == Int64(2 * expected.malformed) else {
            throw DemoFailure("the outputs do not match the generated input")
        }
        print("every output matches the generated input.")
    }

    private func pad(_ text: String?, _ width: Int) -> String {
        let text = text ?? ""
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

struct DemoFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
