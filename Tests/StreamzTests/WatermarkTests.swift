import Testing
@testable import Streamz

@Suite struct WatermarkTests {
    @Test func pipelineWatermarkIsTheMinimumOverActivePartitions() {
        var state = WatermarkState(maxOutOfOrderMillis: 1_000, idleTimeoutMillis: 10_000)
        state.observe(10_000, partition: 0)
        #expect(state.watermark == 9_000)
        state.observe(3_000, partition: 1)
        #expect(state.watermark == 9_000, "it never goes backwards")
        state.observe(12_000, partition: 0)
        #expect(state.watermark == 9_000, "partition 1 holds it at 2000, below what was reached")
        state.observe(20_000, partition: 1)
        #expect(state.watermark == 11_000)
        #expect(state.watermark(ofPartition: 1) == 19_000)
    }

    @Test func anIdlePartitionStopsHoldingTheWatermark() {
        var state = WatermarkState(maxOutOfOrderMillis: 0, idleTimeoutMillis: 10_000)
        state.observe(1_000, partition: 0)
        state.observe(50_000, partition: 1)
        #expect(state.watermark == 1_000)
        state.markIdle(now: 0)        // both were seen: last seen at 0
        state.observe(60_000, partition: 1)
        state.markIdle(now: 9_999)    // partition 0 silent, not yet for the timeout
        #expect(state.watermark == 1_000)
        state.markIdle(now: 10_000)
        #expect(state.watermark == 60_000, "partition 0 is idle")
        state.observe(2_000, partition: 0)  // it wakes, far behind
        #expect(state.watermark == 60_000, "never backwards")
    }

    @Test func anAssignedPartitionWithNoDataHoldsTheWatermarkUntilIdle() {
        var state = WatermarkState(maxOutOfOrderMillis: 0, idleTimeoutMillis: 1_000)
        state.assign(3, now: 0)
        state.observe(5_000, partition: 0)
        #expect(state.watermark == Annotation.noTime)
        state.markIdle(now: 1_000)
        #expect(state.watermark == 5_000)
    }

    @Test func sharedWatermarksCloseWindowsWhenAPartitionGoesIdle() throws {
        let clock = ManualClock()
        let watermarks = Watermarks(maxOutOfOrder: .zero, idleTimeout: .seconds(4), clock: clock)
        let source = Stream<(partition: Int, time: Int64)>(clock: clock)
        let windows = try source.withEventTime(watermarks, partition: { $0.partition }) { $0.time }
            .window(.tumbling(.seconds(1)), watermarks: watermarks, key: { $0.partition })
        let out = windows.sinkToList()
        source.emit((0, 500))
        source.emit((1, 10_500))
        #expect(out.values.isEmpty, "partition 0 holds the watermark at 500")
        clock.advance(by: .seconds(2))
        source.emit((1, 11_000))
        clock.advance(by: .seconds(5))  // partition 0 silent for the idle timeout
        #expect(out.values.map(\.window.start) == [0, 10_000], "and 11000 closes [10000, 11000)")
        #expect(watermarks.current == 11_000)
    }
}
