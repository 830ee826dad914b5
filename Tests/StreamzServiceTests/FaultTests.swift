import Foundation
import StreamzKafka
import StreamzPostgres
import StreamzService
import Testing

/// `streamz run` on the example config while its dependencies fail: injected broker
/// errors, the broker down and back, PostgreSQL stopped and started. Each run must
/// lose nothing (`FeedOutcome`), resume within 5 s of the dependency's return, and
/// stay under 256 MB resident while it waits.
@Suite("streamz run under faults", .serialized, .timeLimit(.minutes(6)))
struct FaultTests {
    static let resumeLimit: Duration = .seconds(5)
    static let memoryLimit = 256 << 20
    static let outage: Duration = .seconds(6)
    static let topics = [("clicks", 4), ("clicks-enriched", 4), ("clicks-dlq", 4)]

    @Test func injectedBrokerErrorsLoseNothing() async throws {
        // The producers here are not idempotent. With idempotence on, about half the
        // runs lost a dead letter after injected Produce errors, though librdkafka
        // 2.0.2 had reported it delivered; with it off, none did (12 of 12), and our
        // code does the same either way: the loss lies in librdkafka's idempotence
        // against the mock broker (see the README). Without it a retry may duplicate
        // a record, which the checks allow outside PostgreSQL.
        let properties = #"properties: {session.timeout.ms: "6000", heartbeat.interval.ms: "500", compression.type: lz4, enable.idempotence: "false"}"#
        guard let fixture = try await ServiceFixture.make(edits: [ServiceFixture.restartable[0], ("properties: {}", properties)],
                                                          topics: FaultTests.topics) else { return }
        defer { fixture.tearDown() }
        let broker = fixture.broker
        let feed = ClickFeed(count: 30_000, late: 30, seed: UInt64.random(in: 1...UInt64(UInt32.max)))
        try await BlockingCall.run { try feed.produce(to: broker.bootstrapServers) }

        // The first round meets the service as it starts: joining the group, its
        // first fetches, produces and commits.
        try broker.injectErrors(api: .joinGroup, errors: [.coordinatorLoadInProgress, .notCoordinator, .coordinatorNotAvailable])
        try broker.injectErrors(api: .produce, errors: [.requestTimedOut, .notLeaderForPartition, .leaderNotAvailable,
                                                        .notEnoughReplicas, .unknownTopicOrPartition])
        try broker.injectErrors(api: .fetch, error: .notLeaderForPartition, count: 5)
        try broker.injectErrors(api: .offsetCommit, error: .requestTimedOut, count: 3)
        let service = try fixture.run()
        try await waitForOutput(service, fixture: fixture, atLeast: 1_000)
        // The second round lands in mid-stream.
        try broker.injectErrors(api: .produce, errors: [.notEnoughReplicas, .requestTimedOut, .leaderNotAvailable, .notLeaderForPartition])
        try broker.injectErrors(api: .fetch, errors: [.notLeaderForPartition, .unknownTopicOrPartition, .leaderNotAvailable])
        try broker.injectErrors(api: .offsetCommit, errors: [.coordinatorLoadInProgress, .notCoordinator, .requestTimedOut])

        let report = try await FeedOutcome.verify(feed, fixture: fixture, service: service, label: "broker errors")
        print("faults: broker errors: \(report.enriched) enriched expected, \(report.duplicates) duplicates")
    }

    @Test func aBrokerOutageLosesNothingAndTheServiceResumes() async throws {
        guard let fixture = try await ServiceFixture.make(edits: ServiceFixture.restartable, topics: FaultTests.topics) else { return }
        defer { fixture.tearDown() }
        let (broker, port) = (fixture.broker, fixture.port)
        let feed = ClickFeed(count: 100_000, late: 50, seed: UInt64.random(in: 1...UInt64(UInt32.max)))
        try await BlockingCall.run { try feed.produce(to: broker.bootstrapServers) }
        let service = try fixture.run()
        try await waitForOutput(service, fixture: fixture, atLeast: 2_000)

        for id in 1...Int32(broker.brokers) { try broker.setBrokerDown(id) }
        let peak = try await peakResidentMemory(of: service, for: Self.outage)
        let before = try enrichedOut(port: port)
        #expect(before < Double(feed.expectedEnriched.values.reduce(0, +)), "the outage came too late: nothing was left to do")
        for id in 1...Int32(broker.brokers) { try broker.setBrokerUp(id) }
        let resumed = try await timeUntil { try enrichedOut(port: port) > before }
        print("faults: broker down \(Self.outage): peak RSS \(peak >> 20) MiB; deliveries resumed \(resumed) after it was back")
        #expect(peak < Self.memoryLimit, "resident memory \(peak >> 20) MiB during the outage")
        #expect(resumed <= Self.resumeLimit, "deliveries resumed \(resumed) after the broker was back")

        _ = try await FeedOutcome.verify(feed, fixture: fixture, service: service, label: "broker outage")
    }

    @Test func aPostgresRestartLosesNothingAndTheServiceResumes() async throws {
        guard databaseURLForTests() != nil else { return }
        let server = try await BlockingCall.run { try ThrowawayPostgres() }
        defer { server.destroy() }
        guard let fixture = try await ServiceFixture.make(edits: ServiceFixture.restartable, server: server.url, topics: FaultTests.topics) else { return }
        defer { fixture.tearDown() }
        let broker = fixture.broker
        let feed = ClickFeed(count: 100_000, late: 50, seed: UInt64.random(in: 1...UInt64(UInt32.max)))
        try await BlockingCall.run { try feed.produce(to: broker.bootstrapServers) }
        let service = try fixture.run()
        let expectedViews = feed.expectedRows.reduce(0) { $0 + $1.views }

        try await waitUntil("the first rows") {
            guard service.process.isRunning else { throw TestSetupError("streamz exited: \(service.output.suffix(2_000))") }
            return ((try? await views(fixture.url)) ?? 0) > 0  // the table appears with the first rows
        }
        try await BlockingCall.run { try server.stop() }
        let peak = try await peakResidentMemory(of: service, for: Self.outage)
        try await BlockingCall.run { try server.start() }
        // The first answer after the start may already include rows written since;
        // waiting for rows beyond it can only overstate the resume time.
        let returned = ContinuousClock.now
        let first = try await views(fixture.url)
        #expect(first < expectedViews, "the outage came too late: nothing was left to write")
        try await waitUntil("rows after the restart", timeout: .seconds(30)) { try await views(fixture.url) > first }
        let resumed = ContinuousClock.now - returned
        print("faults: PostgreSQL down \(Self.outage): peak RSS \(peak >> 20) MiB; writes resumed \(resumed) after it was back")
        #expect(peak < Self.memoryLimit, "resident memory \(peak >> 20) MiB during the outage")
        #expect(resumed <= Self.resumeLimit, "writes resumed \(resumed) after PostgreSQL was back")

        _ = try await FeedOutcome.verify(feed, fixture: fixture, service: service, label: "PostgreSQL restart")
    }

    // MARK: Probes

    private func waitForOutput(_ service: StreamzProcess, fixture: ServiceFixture, atLeast count: Double) async throws {
        try await waitUntil("\(Int(count)) enriched records") {
            guard service.process.isRunning else { throw TestSetupError("streamz exited: \(service.output.suffix(2_000))") }
            return ((try? enrichedOut(port: fixture.port)) ?? 0) >= count
        }
    }

    private func enrichedOut(port: Int) throws -> Double {
        try MetricsText(httpGet(port: port, path: "/metrics").body).value("streamz_records_out_total", ["pipeline": "enrich"]) ?? 0
    }

    private func views(_ url: String) async throws -> Int64 {
        let client = PostgresClient(url: url)
        defer { client.close() }
        return try await client.query("SELECT coalesce(sum(views), 0)::bigint AS n FROM page_views_per_minute").int(0, "n") ?? 0
    }

    /// Polls every 50 ms; the time until `condition` first held.
    private func timeUntil(timeout: Duration = .seconds(30), _ condition: () throws -> Bool) async throws -> Duration {
        let start = ContinuousClock.now
        while !((try? condition()) ?? false) {
            guard ContinuousClock.now - start < timeout else { throw TestSetupError("no progress within \(timeout)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        return ContinuousClock.now - start
    }

    /// The highest VmRSS of the process, sampled every 100 ms for `duration`; the
    /// process must stay up throughout.
    private func peakResidentMemory(of service: StreamzProcess, for duration: Duration) async throws -> Int {
        let end = ContinuousClock.now + duration
        var peak = 0
        while ContinuousClock.now < end {
            guard service.process.isRunning else { throw TestSetupError("streamz exited: \(service.output.suffix(2_000))") }
            let status = (try? String(contentsOfFile: "/proc/\(service.process.processIdentifier)/status", encoding: .utf8)) ?? ""
            if let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
               let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") {
                peak = max(peak, kilobytes << 10)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return peak
    }
}
