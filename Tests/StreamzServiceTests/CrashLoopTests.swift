import Foundation
import StreamzKafka
import StreamzService
import Testing

/// The crash loop: `streamz run` killed with SIGKILL at random moments while it works
/// through the input, and restarted each time; `FeedOutcome` then checks the outputs
/// against the recomputation. `make test` runs the short loop (3 kills over 50,000
/// clicks); `make soak` the long one, sized by STREAMZ_CRASH_RECORDS and
/// STREAMZ_CRASH_KILLS (400,000 and 20).
@Suite("streamz run, kill -9 loop", .serialized, .timeLimit(CrashLoopSize.limit))
struct CrashLoopTests {
    @Test func killedAtRandomMomentsItLosesNothingAndCountsNothingTwice() async throws {
        let (records, kills) = (CrashLoopSize.records, CrashLoopSize.kills)
        let partitions = max(4, records / 50_000)
        // The enriched topic gets every replay after a kill too (up to seven times the
        // input in the long loop), and the embedded broker keeps at most 5 MB per
        // partition (librdkafka's mock cluster drops the oldest batches past that), so
        // it is spread thinner than the input. `FeedOutcome` fails at once if it drops any.
        guard let fixture = try await ServiceFixture.make(
            edits: ServiceFixture.restartable,
            topics: [("clicks", partitions), ("clicks-enriched", 8 * partitions), ("clicks-dlq", 4)]) else { return }
        defer { fixture.tearDown() }
        let (broker, port) = (fixture.broker, fixture.port)

        let seed = UInt64.random(in: 1...UInt64(UInt32.max))
        print("crash loop: seed \(seed), \(records) clicks, \(kills) kills")
        var random = SystemRandomNumberGenerator()
        let feed = ClickFeed(count: records, late: records / 1_000, seed: seed)
        try await BlockingCall.run { try feed.produce(to: broker.bootstrapServers) }
        let started = ContinuousClock.now
        var killedBeforeReady = 0
        for kill in 0..<kills {
            let service = try fixture.run()
            // One kill in four lands while it starts (migrations, joining the group);
            // the rest at a random moment of the work, once both pipelines hold
            // partitions.
            if Int.random(in: 0..<4, using: &random) == 0 {
                killedBeforeReady += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...1_500, using: &random)))
            } else {
                try await waitUntil("incarnation \(kill) to be ready") {
                    guard service.process.isRunning else { throw TestSetupError("streamz exited: \(service.output.suffix(2_000))") }
                    return (try? httpGet(port: port, path: "/readyz").status) == 200
                }
                try await Task.sleep(for: .milliseconds(Int.random(in: 100...2_500, using: &random)))
            }
            service.kill()
            #expect(await service.waitForExit(timeout: .seconds(5)) != nil, "a SIGKILLed process did not exit")
        }

        let report = try await FeedOutcome.verify(feed, fixture: fixture, service: try fixture.run(), label: "seed \(seed)",
                                                  timeout: .seconds(240 + records / 1_000))
        print("crash loop: seed \(seed): \(records) clicks, \(kills) kills (\(killedBeforeReady) while starting), "
              + "\(ContinuousClock.now - started) in all; \(report.enriched) enriched expected, "
              + "\(report.duplicates) duplicates; \(report.deadLetters) dead letters; table exact")
    }
}

enum CrashLoopSize {
    static let environment = ProcessInfo.processInfo.environment
    static let records = environment["STREAMZ_CRASH_RECORDS"].flatMap { Int($0) } ?? 50_000
    static let kills = environment["STREAMZ_CRASH_KILLS"].flatMap { Int($0) } ?? 3
    static let limit: TimeLimitTrait.Duration = .minutes(6 + records / 20_000 + kills)
}
