import Foundation
import Testing
@testable import Streamz

/// Take a checkpoint mid-stream, restore it into a fresh graph, replay from the
/// checkpointed offset: the output equals an uninterrupted run's, late records stay
/// late, and nothing is counted twice.
@Suite struct WindowCheckpointTests {
    struct Click { var offset: Int; var page: Int; var time: Int64 }

    final class Run {
        let clock = ManualClock()
        let source: Streamz.Stream<Click>
        let node: WindowNode<Click, Int, Summary>
        let results: ListSink<WindowResult<Int, Summary>>
        let late: ListSink<LateRecord<Click>>

        init(kind: WindowKind) throws {
            let watermarks = Watermarks(maxOutOfOrder: .milliseconds(300), clock: clock)
            source = Streamz.Stream<Click>(clock: clock)
            node = try source.withEventTime(watermarks) { $0.time }
                .window(kind, grace: .milliseconds(100), watermarks: watermarks, key: { $0.page }, value: { Double($0.offset) })
            results = node.sinkToList()
            late = node.late.sinkToList()
        }

        func feed(_ clicks: ArraySlice<Click>) { for click in clicks { source.emit(click) } }

        func finish() { node.closeAllNow() }

        var output: [String] { results.values.map { "\($0.key)\($0.window)=\($0.value.count)/\($0.value.sum)" } }
        var lateOffsets: [Int] { late.values.map(\.element.offset) }
    }

    static func clicks() -> [Click] {
        var random = WindowPropertyTests.Random(state: 7)
        var time: Int64 = 0
        return (0..<3_000).map { offset in
            time += Int64(random.next(30))
            // Mostly within the allowed disorder; every 50th far behind, so it is late.
            let lag = offset % 50 == 49 ? 2_000 : Int64(random.next(300))
            return Click(offset: offset, page: random.next(5), time: time - lag)
        }
    }

    @Test(arguments: [WindowKind.tumbling(size: 1_000), .hopping(size: 1_000, advance: 250), .sliding(size: 400), .session(gap: 60)])
    func restoredRunEqualsUninterruptedRun(kind: WindowKind) throws {
        let clicks = Self.clicks()
        let uninterrupted = try Run(kind: kind)
        uninterrupted.feed(clicks[...])
        uninterrupted.finish()
        #expect(!uninterrupted.lateOffsets.isEmpty)

        for checkpointAt in [1, 777, 1_500, 2_999] {
            let first = try Run(kind: kind)
            first.feed(clicks[..<checkpointAt])
            let (windows, watermarks) = first.node.checkpoint()
            let outputBeforeCheckpoint = first.output
            let lateBeforeCheckpoint = first.lateOffsets
            first.feed(clicks[checkpointAt..<min(checkpointAt + 300, clicks.count)])  // then it crashes

            // The checkpoint goes through its serialised form, as it would to PostgreSQL.
            let encoded = try JSONEncoder().encode(windows)
            let decoded = try JSONDecoder().decode(WindowCheckpoint<Int, Summary.Partial>.self, from: encoded)
            let savedWatermarks = try JSONDecoder().decode(WatermarkState.self, from: JSONEncoder().encode(watermarks))

            let second = try Run(kind: kind)
            try second.node.restore(decoded, watermarks: savedWatermarks)
            second.feed(clicks[checkpointAt...])
            second.finish()

            // Keys of one window come out in hash order, so compare as multisets.
            #expect((outputBeforeCheckpoint + second.output).sorted() == uninterrupted.output.sorted(), "checkpoint at \(checkpointAt)")
            #expect(outputBeforeCheckpoint.count + second.output.count == uninterrupted.output.count, "nothing emitted twice")
            #expect(lateBeforeCheckpoint + second.lateOffsets == uninterrupted.lateOffsets, "late stays late")
        }
    }
}
