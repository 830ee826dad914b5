import Foundation
import Streamz
@testable import StreamzKafka
@testable import StreamzPostgres
import Testing

/// PostgreSQL goes away mid-run, on a private server the test can stop and start.
extension WindowPipelineIntegration {
@Suite struct MaterializedWindowOutageTests {
    /// While the server is down the checkpoint retries, the waiting rows reach their
    /// bound and the source stops taking records (memory stays bounded). When the
    /// server is back the pipeline resumes by itself, and the table is exact.
    @Test func aPostgresRestartMidRunLosesNothing() async throws {
        guard serverURLForTests() != nil else { return }  // the binaries come with `make test`'s server
        let server = try await offPool { try PrivatePostgres() }
        defer { server.destroy() }
        print("outage: private server at \(server.url)")
        let setup = PostgresClient(url: server.url)
        try await Migrator(directory: MigratorTests.repositoryMigrations).migrate(setup)
        setup.close()
        let clicks = makeClicks(20_000, pages: 400, disorder: 500, seed: 7)
        let kafka = try EmbeddedKafka(topics: [("clicks", 4)])
        defer { kafka.shutdown() }
        try await offPool { try produce(clicks, to: "clicks", bootstrap: kafka.bootstrapServers) }
        print("outage: produced")

        let pipeline = try ClickWindowPipeline(bootstrap: kafka.bootstrapServers, databaseURL: server.url, topic: "clicks") {
            $0.flushRows = 200
            $0.maxPendingRows = 400
        }
        try await pipeline.start()
        try await eventually("the first records") { await pipeline.consumed >= 3_000 }
        try await offPool { try server.stop() }
        print("outage: server stopped")

        // Stalled: the count stops moving well before the end of the input.
        var stalledAt = -1
        try await eventually("the source to stop taking records") {
            let now = await pipeline.consumed
            defer { stalledAt = now }
            try await Task.sleep(for: .milliseconds(700))
            return now == stalledAt
        }
        let pending = await pipeline.loop.perform { pipeline.window.pendingRows }
        #expect(stalledAt < clicks.count, "the source waits for the database instead of buffering everything")
        #expect(pending <= 400 + 400, "waiting rows: the bound plus at most one window of keys")

        try await offPool { try server.start() }
        try await eventually("every record checkpointed after the restart", timeout: .seconds(90)) {
            try await storedOffsets(pipeline.client, pipeline: "page_views") == Int64(clicks.count)
        }
        await pipeline.window.closeAllAndCheckpoint()
        let table = try await readTable(pipeline.client, "page_views")
        await pipeline.stop()
        #expect(table == recompute(clicks, windowMillis: 1_000))
    }
}
}
