#if canImport(Glibc)
import Glibc
import CMallocInfo
#elseif canImport(Darwin)
import Darwin
#endif
import Streamz

/// Keyed event-time window benchmarks (the figure): a 1 s tumbling count+sum
/// keyed by 10,000 keys, with up to 2 s of disorder, ≤ 100 ns/event in release.
///
/// The input is generated once, outside the timed part: event times advance 1 ms per
/// 10 events (≈ 10,000 events per 1 s window, ≈ 1,000 windows per 10M events), keys
/// are uniform in 0..<10,000 (each key about once per window), and each event time has
/// a random 0...2000 ms subtracted. With a 2 s out-of-orderness bound no event is late.
///
/// Three rows over the same input:
/// - the operator: `withEventTime` → `window(.tumbling(1 s), key:, value:)` → a sink;
/// - the `WindowState` value type alone, with a hand-kept watermark;
/// - a hand loop with a dictionary of dictionaries, the baseline.
///
/// Each returns (window counts emitted + late records), which must equal the number of
/// events.
struct WindowEvent {
    var key: Int
    var value: Double
    var time: Int64
}

enum WindowInput {
    static let keys = 10_000
    static let disorderMillis: Int64 = 2_000
    static let windowMillis: Int64 = 1_000
    /// An epoch-ms origin aligned to the window size.
    static let origin: Int64 = 1_700_000_000_000

    // Only touched from the benchmark's main thread.
    nonisolated(unsafe) private static var cache: [WindowEvent] = []

    /// The first `n` events. Deterministic: a prefix of a longer run is the shorter run.
    static func events(_ n: Int) -> ArraySlice<WindowEvent> {
        if cache.count < n { cache = generate(n) }
        return cache[0..<n]
    }

    private static func generate(_ n: Int) -> [WindowEvent] {
        var rng = XorShift64Star(seed: 0x9E37_79B9_7F4A_7C15)
        var events: [WindowEvent] = []
        events.reserveCapacity(n)
        for i in 0..<n {
            let a = rng.next(), b = rng.next()
            let key = Int(a % UInt64(keys))
            let value = Double((a >> 32) % 100_000) / 100
            let disorder = Int64(b % UInt64(disorderMillis + 1))
            events.append(WindowEvent(key: key, value: value, time: origin + Int64(i / 10) - disorder))
        }
        return events
    }
}

struct XorShift64Star {
    var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 1 : seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}

@inline(__always) func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// One in-place update through both dictionaries' `_modify` accessors.
@inline(__always) func bump(_ entry: inout (count: Int, sum: Double), _ value: Double) {
    entry.count += 1
    entry.sum += value
}

enum WindowBodies {
    static let operatorName = "window: tumbling 1 s count+sum, 10k keys, ≤ 2 s disorder"
    static let summaryName = "  ↳ same with Summary (count, sum, min, max, avg, first, last)"
    static let stateName = "  ↳ same on WindowState directly"
    static let handLoopName = "  ↳ hand loop, [Int64: [Int: (count, sum)]]"

    static func warnIfWrong(_ what: String, total: Int, expected: Int) {
        if total != expected {
            print("WARNING: \(what): emitted counts + late = \(total), expected \(expected) events")
        }
    }

    static func all() -> [Benchmark] { [
        operatorBenchmark(operatorName, targetNs: 100, aggregation: CountSum()) { Int($0.count) },
        operatorBenchmark(summaryName, targetNs: nil, aggregation: Summary()) { Int($0.count) },
        Benchmark(name: stateName, targetNs: nil) { n in
            let events = WindowInput.events(n)
            return {
                var state = try! WindowState<Int, CountSum>(kind: .tumbling(size: WindowInput.windowMillis),
                                                             grace: .zero, aggregation: CountSum())
                var total = 0, late = 0
                var maxTime = Int64.min
                for event in events {
                    if case .late = state.add(event.value, key: event.key, eventTime: event.time) { late += 1 }
                    if event.time > maxTime {
                        maxTime = event.time
                        for result in state.advance(to: maxTime - WindowInput.disorderMillis) {
                            total &+= Int(result.value.count)
                        }
                    }
                }
                for result in state.closeAll() { total &+= Int(result.value.count) }
                total &+= late
                warnIfWrong("WindowState", total: total, expected: events.count)
                return total
            }
        },
        Benchmark(name: handLoopName, targetNs: nil) { n in
            let events = WindowInput.events(n)
            return {
                let size = WindowInput.windowMillis
                var windows: [Int64: [Int: (count: Int, sum: Double)]] = [:]
                var oldest = Int64.max  // start of the oldest open window
                var watermark = Int64.min, maxTime = Int64.min
                var total = 0, late = 0, sum = 0.0
                for event in events {
                    let start = floorDiv(event.time, size) * size
                    if watermark != .min && start + size <= watermark {
                        late += 1
                    } else {
                        bump(&windows[start, default: [:]][event.key, default: (0, 0)], event.value)
                        if start < oldest { oldest = start }
                    }
                    if event.time > maxTime {
                        maxTime = event.time
                        watermark = maxTime - WindowInput.disorderMillis
                        while oldest != .max && oldest + size <= watermark {
                            if let closed = windows.removeValue(forKey: oldest) {
                                for (_, entry) in closed { total &+= entry.count; sum += entry.sum }
                            }
                            oldest = windows.isEmpty ? .max : oldest + size
                        }
                    }
                }
                for (_, window) in windows {
                    for (_, entry) in window { total &+= entry.count; sum += entry.sum }
                }
                blackHole(sum)
                total &+= late
                warnIfWrong("hand loop", total: total, expected: events.count)
                return total
            }
        },
    ] }

    /// The window operator over the generated events: `withEventTime` → tumbling 1 s
    /// window → a counting sink. A ManualClock, not the default LoopClock: a LoopClock
    /// would fire the watermarks' idle check on its own queue, racing this loop.
    static func operatorBenchmark<A: WindowAggregation>(
        _ name: String, targetNs: Double?, aggregation: A, count: @escaping (A.Output) -> Int
    ) -> Benchmark where A.Input == Double {
        Benchmark(name: name, targetNs: targetNs) { n in
            let events = WindowInput.events(n)
            let clock = ManualClock()
            let source = Stream<WindowEvent>(clock: clock)
            let watermarks = Watermarks(maxOutOfOrder: .seconds(2), clock: clock)
            let node = try! source.withEventTime(watermarks) { $0.time }
                .window(.tumbling(.seconds(1)), watermarks: watermarks, key: { $0.key },
                        aggregation: aggregation, input: { $0.value })
            let counts = node.accumulate(0) { total, result in total &+ count(result.value) }
            counts.sink { blackHole($0) }
            return {
                var pending = 0
                for event in events {
                    if case .pending = source.emit(event) { pending += 1 }
                }
                if case .pending = node.closeAllNow() { pending += 1 }
                let total = counts.currentState &+ node.lateCount
                warnIfWrong(name, total: total, expected: events.count)
                return total &+ pending
            }
        }
    }

    /// Ratios of the window rows to their hand loop, and a checksum cross-check.
    static func ratios(_ results: [Result]) -> [String: Double] {
        guard let loop = results.first(where: { $0.name == handLoopName }) else { return [:] }
        var ratios: [String: Double] = [:]
        for r in results where r.name == operatorName || r.name == stateName || r.name == summaryName {
            ratios[r.name] = r.medianNs / loop.medianNs
            if r.checksum != loop.checksum {
                print("WARNING: '\(r.name)' checksum \(r.checksum) != hand loop checksum \(loop.checksum)")
            }
        }
        return ratios
    }

    // MARK: Memory

    #if canImport(Glibc)
    /// Bytes in use on the malloc heap, including chunks big enough to be mmapped.
    static func heapInUse() -> Int {
        let info = mallinfo2()
        return Int(info.uordblks) + Int(info.hblkhd)
    }

    /// 10,000 keys × 3 windows, watermark never set, so nothing closes.
    @inline(never) static func windowStateBytesPerPair<A: WindowAggregation>(_ aggregation: A) -> (pairs: Int, bytes: Double)
    where A.Input == Double {
        let before = heapInUse()
        var state = try! WindowState<Int, A>(kind: .tumbling(size: WindowInput.windowMillis),
                                              grace: .zero, aggregation: aggregation)
        for window in 0..<3 {
            for key in 0..<WindowInput.keys {
                let time = WindowInput.origin + Int64(window) * WindowInput.windowMillis + Int64(key % 1000)
                _ = state.add(Double(key), key: key, eventTime: time)
            }
        }
        let after = heapInUse()
        let pairs = state.openWindowCount
        blackHole(state)
        return (pairs, Double(after - before) / Double(pairs))
    }

    @inline(never) static func handLoopBytesPerPair() -> (pairs: Int, bytes: Double) {
        let before = heapInUse()
        var windows: [Int64: [Int: (count: Int, sum: Double)]] = [:]
        for window in 0..<3 {
            for key in 0..<WindowInput.keys {
                let start = WindowInput.origin + Int64(window) * WindowInput.windowMillis
                bump(&windows[start, default: [:]][key, default: (0, 0)], Double(key))
            }
        }
        let after = heapInUse()
        let pairs = windows.values.reduce(0) { $0 + $1.count }
        blackHole(windows)
        return (pairs, Double(after - before) / Double(pairs))
    }
    #endif

    /// A markdown table of the heap bytes per open (key, window).
    static func memoryTable() -> String {
        #if canImport(Glibc)
        let state = windowStateBytesPerPair(CountSum())
        let summary = windowStateBytesPerPair(Summary())
        let loop = handLoopBytesPerPair()
        return """
            | memory (mallinfo2 uordblks + hblkhd growth) | open (key, window) pairs | bytes per open (key, window) |
            |---|---:|---:|
            | WindowState<Int, CountSum>, 10k keys × 3 windows | \(state.pairs) | \(fmt(state.bytes, 1)) |
            | WindowState<Int, Summary>, same | \(summary.pairs) | \(fmt(summary.bytes, 1)) |
            | hand loop [Int64: [Int: (count, sum)]], same | \(loop.pairs) | \(fmt(loop.bytes, 1)) |

            """
        #else
        return "bytes per open (key, window): needs mallinfo2 (Glibc)\n"
        #endif
    }
}
