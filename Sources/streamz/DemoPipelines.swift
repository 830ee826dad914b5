import Foundation
import Streamz

/// One generated click.
struct Click: Sendable {
    var user: Int
    var page: String
    var value: Int
    /// Event time, epoch milliseconds.
    var ts: Int64
}

/// A deterministic clickstream: 50 users, a handful of pages, one click every 10 ms
/// of event time, with a health check now and then.
struct ClickGenerator: Sequence, IteratorProtocol {
    static let pages = ["/", "/home", "/search", "/cart", "/checkout", "/product", "/health"]
    let count: Int
    var state: UInt64
    var produced = 0

    init(count: Int, seed: UInt64) {
        self.count = count
        self.state = seed | 1
    }

    mutating func next() -> Click? {
        guard produced < count else { return nil }
        produced += 1
        state ^= state << 13; state ^= state >> 7; state ^= state << 17  // xorshift64
        let page = Self.pages[Int(state % UInt64(Self.pages.count))]
        return Click(user: Int((state >> 8) % 50), page: page, value: Int((state >> 16) % 100),
                     ts: 1_700_000_000_000 + Int64(produced) * 10)
    }
}

/// The demo's two pipelines, as the service will run them from YAML:
/// `enrich` filters and reshapes clicks (destined for a topic), `page_views` counts
/// views per page per minute of event time (destined for a PostgreSQL table).
final class DemoPipelines {
    struct Enriched { var user: Int; var page: String; var value2: Int; var ts: Int64 }
    struct WindowKey: Hashable, Comparable {
        var minute: Int64; var page: String
        static func < (a: WindowKey, b: WindowKey) -> Bool { (a.minute, a.page) < (b.minute, b.page) }
    }

    let source: Streamz.Stream<Click>
    private(set) var consumed = 0
    private(set) var enrichedCount = 0
    private(set) var enrichedBatches = 0
    private(set) var pageViews: [WindowKey: Int] = [:]
    private var enrichedBatcher: PartitionNode<Enriched>!
    private var pageViewWindows: WindowNode<Click, String, Summary>!
    private(set) var lateClicks = 0

    init(source: Streamz.Stream<Click>) throws {
        self.source = source
        source.sink { [unowned self] _ in self.consumed += 1 }

        // enrich: filter "value > 10 && page != '/health'", map to the output shape,
        // batched as a producer would batch them.
        enrichedBatcher = source
            .filter { $0.value > 10 && $0.page != "/health" }
            .map { Enriched(user: $0.user, page: $0.page, value2: $0.value * 2, ts: $0.ts) }
            .partition(500, timeout: .milliseconds(100))
        enrichedBatcher.sink { [unowned self] batch in
                self.enrichedCount += batch.count
                self.enrichedBatches += 1
            }

        // page_views: tumbling one-minute event-time windows keyed by page, 5 s grace.
        let watermarks = Watermarks(maxOutOfOrder: .seconds(2), clock: source.clock)
        pageViewWindows = try source
            .remove { $0.page == "/health" }
            .withEventTime(watermarks) { $0.ts }
            .window(.tumbling(.seconds(60)), grace: .seconds(5), watermarks: watermarks, key: { $0.page })
        pageViewWindows.sink { [unowned self] result in
            self.pageViews[WindowKey(minute: result.window.start, page: result.key)] = Int(result.value.count)
        }
        pageViewWindows.late.sink { [unowned self] _ in self.lateClicks += 1 }
    }

    func describe() -> String {
        """
        pipelines:
          enrich:     clicks -> filter(value > 10 && page != '/health') -> map(user, page, value2, ts) -> partition(500) -> clicks-enriched
          page_views: clicks -> remove(page == '/health') -> eventTime(ts) -> window(tumbling 1m, grace 5s, key page) -> count
        """
    }

    /// Emits what is still batched, as a drain on shutdown does.
    func flush() {
        enrichedBatcher.flush()
        pageViewWindows.closeAllNow()
    }

    func report(elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(consumed) / seconds : 0
        var lines = [
            String(format: "processed %d clicks in %.3f s (%.0f clicks/s)", consumed, seconds, rate),
            "clicks-enriched: \(enrichedCount) records in \(enrichedBatches) batches",
            "page_views (first 3 windows):",
            "  window_start (UTC)     page        views",
        ]
        let formatter = ISO8601DateFormatter()
        let minutes = Set(pageViews.keys.map(\.minute)).sorted().prefix(3)
        for key in pageViews.keys.sorted() where minutes.contains(key.minute) {
            let start = formatter.string(from: Date(timeIntervalSince1970: Double(key.minute) / 1000))
            lines.append("  \(start)  \(key.page.padding(toLength: 10, withPad: " ", startingAt: 0))  \(pageViews[key]!)")
        }
        lines.append("page_views: \(pageViews.count) (window, page) rows, \(pageViews.values.reduce(0, +)) views in all, \(lateClicks) late")
        return lines.joined(separator: "\n")
    }
}

/// Prints records and rate once a second while the demo runs.
final class ProgressReporter: @unchecked Sendable {
    // @unchecked: every field is touched only on the demo's loop.
    private let clock: LoopClock
    private let pipelines: DemoPipelines
    private let started: ContinuousClock.Instant
    private var timer: ScheduledWork?

    init(clock: LoopClock, pipelines: DemoPipelines, started: ContinuousClock.Instant) {
        self.clock = clock
        self.pipelines = pipelines
        self.started = started
    }

    func start() {
        clock.execute { self.tick() }
    }

    func stop() {
        clock.execute { self.timer?.cancel() }
    }

    private func tick() {
        timer = clock.schedule(after: .seconds(1)) { [self] in
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(String(format: "  progress: %d records, %.0f records/s", pipelines.consumed, Double(pipelines.consumed) / seconds))
            tick()
        }
    }
}
