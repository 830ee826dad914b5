import Testing
@testable import Streamz

/// Random out-of-order input with bounded disorder, checked window by window
/// against a brute-force recomputation.
@Suite struct WindowPropertyTests {
    struct Record { var key: Int; var time: Int64; var value: Double }

    struct Expected: Hashable {
        var key: Int
        var window: WindowBounds
        var count: Int64
        var sum: Double
        var min: Double
        var max: Double
        var first: Double
        var last: Double
    }

    /// xorshift64*: deterministic per seed.
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return Int((state &* 2_685_821_657_736_338_717) >> 33) % bound
        }
    }

    static func records(seed: UInt64, count: Int, disorder: Int64) -> [Record] {
        var random = Random(state: seed | 1)
        var clock: Int64 = 10_000
        var records: [Record] = []
        for _ in 0..<count {
            clock += Int64(random.next(40))
            let time = clock - Int64(random.next(Int(disorder) + 1))
            records.append(Record(key: random.next(4), time: time, value: Double(random.next(100))))
        }
        return records
    }

    /// The windows each kind assigns, straight from the definitions.
    static func bruteForce(_ records: [Record], kind: WindowKind) -> Set<Expected> {
        var members: [Int: [WindowBounds: [Record]]] = [:]  // in arrival order
        for key in Set(records.map(\.key)) {
            let mine = records.filter { $0.key == key }
            var windows: [WindowBounds: [Record]] = [:]
            switch kind {
            case .tumbling(let size), .hopping(size: let size, advance: _):
                let advance: Int64 = { if case .hopping(_, let a) = kind { return a }; return size }()
                for record in mine {
                    var start = floorDivide(record.time, advance) * advance
                    while start > record.time - size {
                        windows[WindowBounds(start: start, end: start + size), default: []].append(record)
                        start -= advance
                    }
                }
            case .sliding(let size):
                for end in Set(mine.map(\.time)) {
                    windows[WindowBounds(start: end - size, end: end + 1)] = mine.filter { $0.time >= end - size && $0.time <= end }
                }
            case .session(let gap):
                let times = mine.map(\.time).sorted()
                var first = times[0], last = times[0]
                func close() {
                    windows[WindowBounds(start: first, end: last + gap)] = mine.filter { $0.time >= first && $0.time <= last }
                }
                for time in times.dropFirst() {
                    if time - last < gap { last = time } else { close(); first = time; last = time }
                }
                close()
            }
            members[key] = windows
        }
        var expected = Set<Expected>()
        for (key, windows) in members {
            for (window, rs) in windows {
                let firstTime = rs.map(\.time).min()!, lastTime = rs.map(\.time).max()!
                expected.insert(Expected(
                    key: key, window: window, count: Int64(rs.count), sum: rs.map(\.value).reduce(0, +),
                    min: rs.map(\.value).min()!, max: rs.map(\.value).max()!,
                    first: rs.first { $0.time == firstTime }!.value,
                    last: rs.last { $0.time == lastTime }!.value))
            }
        }
        return expected
    }

    static let kinds: [WindowKind] = [
        .tumbling(size: 1_000), .hopping(size: 1_000, advance: 300), .sliding(size: 500), .session(gap: 120),
    ]

    @Test(arguments: kinds)
    func everyEmittedWindowMatchesARecomputation(kind: WindowKind) throws {
        let disorder: Int64 = 400
        for seed in UInt64(1)...12 {
            let records = Self.records(seed: seed, count: 400, disorder: disorder)
            var state = try WindowState<Int, Summary>(kind: kind, aggregation: Summary())
            var emitted: [WindowResult<Int, Summary>] = []
            var maxTime = Int64.min
            for record in records {
                #expect(state.add(record.value, key: record.key, eventTime: record.time) == .added,
                        "disorder within the bound is never late")
                maxTime = max(maxTime, record.time)
                emitted += state.advance(to: maxTime - disorder)
            }
            emitted += state.advance(to: Int64.max / 2)
            let got = Set(emitted.map {
                Expected(key: $0.key, window: $0.window, count: $0.value.count, sum: $0.value.sum,
                         min: $0.value.min!, max: $0.value.max!, first: $0.value.first!, last: $0.value.last!)
            })
            #expect(emitted.count == got.count, "each window is emitted once")
            #expect(got == Self.bruteForce(records, kind: kind), "seed \(seed)")
            #expect(state.openWindowCount == 0)
        }
    }

    @Test(arguments: [WindowKind.tumbling(size: 1_000), .hopping(size: 1_000, advance: 300), .sliding(size: 500)])
    func updateDeltasAddUpToTheFinalAggregate(kind: WindowKind) throws {
        let records = Self.records(seed: 99, count: 400, disorder: 200)
        var state = try WindowState<Int, Summary>(kind: kind, aggregation: Summary(), tracksUpdates: true)
        var deltaCounts: [WindowBounds: [Int: Int64]] = [:]
        var finals: [WindowBounds: [Int: Int64]] = [:]
        var maxTime = Int64.min
        func collect(_ results: [WindowResult<Int, Summary>]) {
            for result in results {
                if let delta = result.delta { deltaCounts[result.window, default: [:]][result.key, default: 0] += delta.count }
                if result.isFinal { finals[result.window, default: [:]][result.key] = result.value.count }
            }
        }
        for (index, record) in records.enumerated() {
            _ = state.add(record.value, key: record.key, eventTime: record.time)
            maxTime = max(maxTime, record.time)
            if index % 7 == 0 { collect(state.flushUpdates()) }
            collect(state.advance(to: maxTime - 200))
        }
        collect(state.flushUpdates())
        collect(state.advance(to: Int64.max / 2))
        #expect(!finals.isEmpty)
        #expect(deltaCounts == finals)
    }
}

extension WindowKind: CustomTestStringConvertible {
    public var testDescription: String { "\(self)" }
}
