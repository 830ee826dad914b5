import Testing
@testable import Streamz

/// Window boundaries as Kafka Streams and Flink document them.
@Suite struct WindowBoundaryTests {
    static let tumblingCases: [(time: Int64, start: Int64)] = [
        (0, 0), (4_999, 0), (5_000, 5_000), (12_345, 10_000), (-1, -5_000), (-5_000, -5_000),
    ]

    @Test(arguments: tumblingCases)
    func tumblingIsEpochAlignedAndHalfOpen(time: Int64, start: Int64) {
        var windows: [WindowBounds] = []
        WindowKind.tumbling(size: 5_000).alignedWindows(containing: time, into: &windows)
        #expect(windows == [WindowBounds(start: start, end: start + 5_000)])
    }

    /// Size 5000, advance 3000: [0,5000), [3000,8000), [6000,11000), …
    static let hoppingCases: [(time: Int64, starts: [Int64])] = [
        (3_000, [0, 3_000]),
        (4_999, [0, 3_000]),
        (5_000, [3_000]),
        (6_000, [3_000, 6_000]),
        (7_999, [3_000, 6_000]),
        (8_000, [6_000]),
        // Flink keeps the window that starts before the epoch; Kafka Streams, whose
        // timestamps are never negative, starts at 0.
        (1_000, [-3_000, 0]),
    ]

    @Test(arguments: hoppingCases)
    func hoppingMatchesTheDocumentedWindows(time: Int64, starts: [Int64]) {
        var windows: [WindowBounds] = []
        WindowKind.hopping(size: 5_000, advance: 3_000).alignedWindows(containing: time, into: &windows)
        #expect(windows == starts.map { WindowBounds(start: $0, end: $0 + 5_000) })
    }

    @Test func badSpecsAreClearErrors() {
        #expect(throws: WindowSpecError.advanceLargerThanSize) { try WindowKind.hopping(size: 10, advance: 20).validate() }
        #expect(throws: WindowSpecError.nonPositive("size")) { try WindowKind.tumbling(size: 0).validate() }
        #expect(throws: WindowSpecError.nonPositive("gap")) { try WindowKind.session(gap: -1).validate() }
    }

    private func finals<A>(_ state: inout WindowState<String, A>) -> [WindowResult<String, A>] {
        state.advance(to: Int64.max / 2)
    }

    @Test func slidingWindowsAreRecordDefinedWithBothEndsInclusive() throws {
        var state = try WindowState<String, Summary>(kind: .sliding(size: 10), aggregation: Summary())
        for t: Int64 in [5, 8, 15, 20] { _ = state.add(1, key: "k", eventTime: t) }
        let results = finals(&state)
        // [t-10, t] for each record time, reported half-open as [t-10, t+1).
        #expect(results.map(\.window) == [
            WindowBounds(start: -5, end: 6), WindowBounds(start: -2, end: 9),
            WindowBounds(start: 5, end: 16), WindowBounds(start: 10, end: 21),
        ])
        // 15's window [5, 15] includes 5 at its inclusive start; 20's [10, 20] does not.
        #expect(results.map(\.value.count) == [1, 2, 3, 2])
    }

    @Test func sessionsMergeWhenARecordBridgesThem() throws {
        var state = try WindowState<String, Summary>(kind: .session(gap: 10), aggregation: Summary())
        for t: Int64 in [0, 5, 30, 12] { #expect(state.add(1, key: "k", eventTime: t) == .added) }
        #expect(state.openWindowCount == 2)  // [0, 22) and [30, 40)
        _ = state.add(1, key: "k", eventTime: 21)  // within the gap of both
        #expect(state.openWindowCount == 1)
        _ = state.add(1, key: "other", eventTime: 21)
        let results = finals(&state).filter { $0.key == "k" }
        #expect(results.map(\.window) == [WindowBounds(start: 0, end: 40)])
        #expect(results.first?.value.count == 5)
    }

    @Test func recordsExactlyAGapApartAreSeparateSessions() throws {
        var state = try WindowState<String, Summary>(kind: .session(gap: 10), aggregation: Summary())
        _ = state.add(1, key: "k", eventTime: 0)
        _ = state.add(1, key: "k", eventTime: 10)
        #expect(finals(&state).map(\.window) == [WindowBounds(start: 0, end: 10), WindowBounds(start: 10, end: 20)])
    }

    @Test func aWindowClosesWhenTheWatermarkReachesEndPlusGrace() throws {
        var state = try WindowState<String, Summary>(kind: .tumbling(size: 5_000), grace: .seconds(1), aggregation: Summary())
        _ = state.add(1, key: "k", eventTime: 1_000)
        #expect(state.advance(to: 5_999).isEmpty)
        #expect(state.add(1, key: "k", eventTime: 4_000) == .added, "within grace")
        let closed = state.advance(to: 6_000)
        #expect(closed.map(\.window) == [WindowBounds(start: 0, end: 5_000)])
        #expect(closed.first?.value.count == 2)
        #expect(closed.first?.isFinal == true)
        #expect(state.add(1, key: "k", eventTime: 4_500) == .late(missed: [WindowBounds(start: 0, end: 5_000)]))
        #expect(state.openWindowCount == 0, "closed windows are evicted")
    }

    @Test func hoppingRecordsCanBePartlyLate() throws {
        var state = try WindowState<String, Summary>(kind: .hopping(size: 5_000, advance: 3_000), aggregation: Summary())
        _ = state.advance(to: 5_500)  // [0,5000) is closed, [3000,8000) is open
        #expect(state.add(1, key: "k", eventTime: 4_000) == .partiallyLate(missed: [WindowBounds(start: 0, end: 5_000)]))
        #expect(state.openWindowCount == 1)
    }

    @Test func summaryComputesEveryAggregate() throws {
        var state = try WindowState<String, Summary>(kind: .tumbling(size: 1_000), aggregation: Summary())
        for (t, v): (Int64, Double) in [(500, 4), (100, 2), (900, 9), (100, 7)] { _ = state.add(v, key: "k", eventTime: t) }
        let value = try #require(finals(&state).first?.value)
        #expect(value.count == 4)
        #expect(value.sum == 22)
        #expect(value.min == 2)
        #expect(value.max == 9)
        #expect(value.avg == 5.5)
        #expect(value.first == 2, "earliest event time; the earlier arrival wins a tie")
        #expect(value.last == 9)
    }

    @Test func customFoldMerges() throws {
        let distinct = Fold<Int, Set<Int>>([], add: { $0.union([$1]) }, merge: { $0.union($1) })
        var state = try WindowState<String, Fold<Int, Set<Int>>>(kind: .session(gap: 100), aggregation: distinct)
        for (t, v): (Int64, Int) in [(0, 1), (150, 2), (50, 1), (120, 3)] { _ = state.add(v, key: "k", eventTime: t) }
        let results = state.advance(to: 1_000)
        #expect(results.count == 1)
        #expect(results.first?.value == [1, 2, 3])
    }
}
