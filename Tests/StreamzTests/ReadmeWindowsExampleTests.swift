import Testing
@testable import Streamz

/// The README's event-time example, as written there, on a manual clock.
@Suite struct ReadmeWindowsExampleTests {
    struct Click { var partition: Int; var page: String; var value: Int; var ts: Int64 }

    @Test func readmeWindowsExampleRuns() throws {
        let clock = ManualClock()
        let clicks = Stream<Click>(clock: clock)
        var results: [(String, WindowBounds, Int64, Double)] = []
        var late: [Click] = []

        let watermarks = Watermarks(maxOutOfOrder: .seconds(2), idleTimeout: .seconds(30), clock: clock)
        let perPage = try clicks
            .withEventTime(watermarks, partition: { $0.partition }) { $0.ts }   // epoch ms
            .window(.tumbling(.seconds(60)), grace: .seconds(5), emit: .final,
                    closeOnIdle: .seconds(30), watermarks: watermarks,
                    key: { $0.page }, value: { Double($0.value) })
        perPage.sink { results.append(($0.key, $0.window, $0.value.count, $0.value.avg ?? 0)) }
        perPage.late.sink { late.append($0.element) }

        clicks.emit(Click(partition: 0, page: "/", value: 2, ts: 1_000))
        clicks.emit(Click(partition: 0, page: "/", value: 4, ts: 59_000))
        clicks.emit(Click(partition: 0, page: "/", value: 9, ts: 67_000))  // watermark 65 s closes [0, 60 s)
        clicks.emit(Click(partition: 0, page: "/", value: 1, ts: 30_000))  // too late for its window
        #expect(results.map(\.0) == ["/"])
        #expect(results.first?.1 == WindowBounds(start: 0, end: 60_000))
        #expect(results.first?.2 == 2)
        #expect(results.first?.3 == 3)
        #expect(late.map(\.ts) == [30_000])
        clock.advance(by: .seconds(40))  // close-on-idle emits the last window
        #expect(results.map(\.1.start) == [0, 60_000])
    }
}
