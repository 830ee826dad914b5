import Foundation
import StreamzKafka
import StreamzService
import Testing

/// Scale-out is Kafka's consumer groups: two `streamz run` replicas of one config
/// split the partitions; when one is killed, the other takes its partitions over from
/// their checkpoints, and the outputs stay exactly as the recomputation says.
@Suite("streamz run, two replicas", .serialized, .timeLimit(.minutes(6)))
struct ScaleOutTests {
    @Test func twoReplicasSplitEightPartitionsAndOneTakesOverFromTheOther() async throws {
        guard let fixture = try await ServiceFixture.make(
            edits: ServiceFixture.restartable, topics: [("clicks", 8), ("clicks-enriched", 8), ("clicks-dlq", 4)]
        ) else { return }
        defer { fixture.tearDown() }
        let seed = UInt64.random(in: 1...UInt64(UInt32.max))
        let feed = ClickFeed(count: 100_000, late: 50, seed: seed)
        try await BlockingCall.run { try feed.produce(to: fixture.broker.bootstrapServers) }

        let secondPort = freePort()
        let first = try fixture.run()
        let second = try fixture.runReplica(httpPort: secondPort)
        // Both pipelines of both replicas must end up with a share: disjoint, and
        // together all 8 partitions.
        var shares: [[String: Set<String>]] = []
        try await waitUntil("the replicas to split the partitions") {
            for replica in [first, second] where !replica.process.isRunning {
                throw TestSetupError("streamz exited: \(replica.output.suffix(2_000))")
            }
            shares = [assigned(port: fixture.port), assigned(port: secondPort)]
            return ["enrich", "page_views"].allSatisfy { pipeline in
                let (a, b) = (shares[0][pipeline] ?? [], shares[1][pipeline] ?? [])
                return !a.isEmpty && !b.isEmpty && a.isDisjoint(with: b) && a.union(b).count == 8
            }
        }
        print("scale-out: seed \(seed): replica 1 holds \(shares[0]), replica 2 \(shares[1])")
        for pipeline in ["enrich", "page_views"] {
            let (a, b) = (shares[0][pipeline] ?? [], shares[1][pipeline] ?? [])
            #expect(!a.isEmpty && !b.isEmpty && a.isDisjoint(with: b) && a.union(b).count == 8, "\(pipeline): \(a) and \(b)")
        }

        // Kill the first replica in mid-stream; the second must finish everything.
        try await Task.sleep(for: .milliseconds(Int.random(in: 100...1_500)))
        first.kill()
        _ = await first.waitForExit(timeout: .seconds(5))
        try await waitUntil("the survivor to take all partitions", timeout: .seconds(60)) {
            guard second.process.isRunning else { throw TestSetupError("streamz exited: \(second.output.suffix(2_000))") }
            let share = assigned(port: secondPort)
            return share["enrich"]?.count == 8 && share["page_views"]?.count == 8
        }
        let taken = assigned(port: secondPort)
        #expect(taken["enrich"]?.count == 8 && taken["page_views"]?.count == 8, "the survivor holds \(taken)")
        let report = try await FeedOutcome.verify(feed, fixture: fixture, service: second, label: "scale-out seed \(seed)")
        #expect(report.deadLetters >= feed.expectedDeadLetters, "\(report.deadLetters) dead letters, at least \(feed.expectedDeadLetters) expected")
        print("scale-out: the survivor finished: \(report.enriched) enriched expected, \(report.duplicates) duplicates; table exact")
    }

    /// Partitions per pipeline, read off the per-partition lag gauges of /metrics.
    private func assigned(port: Int) -> [String: Set<String>] {
        guard let body = try? httpGet(port: port, path: "/metrics").body, let metrics = try? MetricsText(body) else { return [:] }
        var shares: [String: Set<String>] = [:]
        for sample in metrics.samples where sample.name == "streamz_consumer_lag" {
            if let pipeline = sample.labels["pipeline"], let partition = sample.labels["partition"] {
                shares[pipeline, default: []].insert(partition)
            }
        }
        return shares
    }
}
