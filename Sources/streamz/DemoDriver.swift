import Foundation
import ServiceLifecycle
import Streamz
import StreamzKafka
import StreamzService

/// What the demo's outputs must hold, computed from the generator alone.
struct ExpectedDemo: Sendable {
    let events: Int
    let seed: UInt64
    /// Every 997th click is sent as broken JSON: the dead letters get to show.
    static let malformedEvery = 997
    let valid: Int64
    let enriched: Int64
    let malformed: Int

    init(events: Int, seed: UInt64) {
        self.events = events
        self.seed = seed
        var valid: Int64 = 0, enriched: Int64 = 0, malformed = 0
        for (index, click) in ClickGenerator(count: events, seed: seed).enumerated() {
            if Self.isMalformed(index) { malformed += 1; continue }
            valid += 1
            if click.value > 10 && click.page != "/health" { enriched += 1 }
        }
        self.valid = valid
        self.enriched = enriched
        self.malformed = malformed
    }

    static func isMalformed(_ index: Int) -> Bool { index % malformedEvery == malformedEvery - 1 }
}

struct DemoOutcome: Sendable {
    var enriched: Int64
    var deadLetters: Int64
}

/// Produces the clicks, waits until both pipelines have taken them all (the last
/// windows closed on idle), counts the topics, and returns, which stops the service
/// the way SIGTERM would: drained, checkpointed, committed.
struct DemoDriver: Service {
    let running: RunningService
    let expected: ExpectedDemo
    let outcome: Locked<DemoOutcome?>

    func run() async throws {
        let bootstrap = running.bootstrapServers
        let expected = self.expected
        try await BlockingCall.run {
            let writer = try KafkaTopicWriter(bootstrapServers: bootstrap)
            defer { writer.close() }
            for (index, click) in ClickGenerator(count: expected.events, seed: expected.seed).enumerated() {
                let value = ExpectedDemo.isMalformed(index) ? "{\"user\":\"u\(click.user)\",\"page\":" : click.json
                try writer.send(topic: "clicks", key: Array("u\(click.user)".utf8), value: Array(value.utf8), timestamp: click.ts)
            }
            try writer.flush()
        }
        print("produced \(expected.events) clicks (\(expected.malformed) of them malformed)")
        let deadline = ContinuousClock.now + .seconds(600)
        while true {
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            let statuses = await running.status()
            if let failed = statuses.first(where: { $0.failure != nil }) {
                throw DemoFailure("pipeline \(failed.name) failed: \(failed.failure ?? "")")
            }
            let done = statuses.allSatisfy { $0.read >= expected.events && $0.inFlight == 0 && $0.openWindows == 0 && $0.lag == 0 }
            if done { break }
            guard ContinuousClock.now < deadline else { throw DemoFailure("the pipelines did not finish within 10 minutes") }
            try? await Task.sleep(for: .milliseconds(250))
        }
        let counts = try await BlockingCall.run {
            (try KafkaTopicReader.count(bootstrapServers: bootstrap, topic: "clicks-enriched"),
             try KafkaTopicReader.count(bootstrapServers: bootstrap, topic: "clicks-dlq"))
        }
        outcome.withLock { $0 = DemoOutcome(enriched: counts.0, deadLetters: counts.1) }
    }
}
