import Foundation
import StreamzKafka
import StreamzPostgres
import StreamzService
import Testing

/// Generated clicks for the service tests, with the bad ones the dead letters must
/// get, and the truth recomputed from them with none of the pipeline's code.
struct ClickFeed {
    enum Kind { case good, malformed, wrongType, late }
    struct Click {
        var index: Int
        var user: Int
        var page: String
        var value: Int
        var ts: Int64
        var kind: Kind

        var key: String { "u\(user)" }
        /// Headers the outputs must carry on: a trace id on most clicks, none on every
        /// fifth, and a null-valued one beside it on every third.
        var headers: [KafkaHeader] {
            guard index % 5 != 0 else { return [] }
            var headers = [KafkaHeader("trace", "t\(index)")]
            if index % 3 == 0 { headers.append(KafkaHeader("flag", nil as [UInt8]?)) }
            return headers
        }
        var payload: String {
            switch kind {
            case .good, .late: return #"{"user":"u\#(user)","page":"\#(page)","value":\#(value),"ts":\#(ts)}"#
            case .malformed: return #"{"user":"u\#(user)","page":"\#(page)","val"#
            case .wrongType: return #"{"user":"u\#(user)","page":"\#(page)","value":"abc","ts":\#(ts)}"#
            }
        }
    }

    static let pages = ["/", "/home", "/search", "/cart", "/checkout", "/health"]
    /// Distinct users, the enriched output's keys. Many, so that keys spread over the
    /// output partitions whatever the partitioner: the embedded broker keeps about 5 MB
    /// per partition, and the crash loop's replays write several times the input, so a
    /// partition that drew a few of only 50 keys overflowed (murmur2 put 4 of 50 on one
    /// of 64 partitions).
    static let users = 1_000
    static let base: Int64 = 1_700_000_000_000
    var clicks: [Click] = []

    /// `count` clicks 20 ms apart in event time, up to 3 s out of order (inside the
    /// 5 s grace), then `late` clicks ten minutes in the past.
    init(count: Int, late: Int = 0, seed: UInt64) {
        var state = seed | 1
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        for index in 0..<count {
            let kind: Kind = index % 499 == 498 ? .malformed : index % 701 == 700 ? .wrongType : .good
            let ts = Self.base + Int64(index) * 20 - Int64(next() % 3_000)
            clicks.append(Click(index: index, user: Int(next() % UInt64(Self.users)), page: Self.pages[Int(next() % UInt64(Self.pages.count))],
                                value: Int(next() % 100), ts: ts, kind: kind))
        }
        for index in 0..<late {
            clicks.append(Click(index: count + index, user: index % Self.users, page: "/late", value: 50 + index,
                                ts: Self.base - 600_000, kind: .late))
        }
    }

    func produce(to bootstrap: String, topic: String = "clicks") throws {
        let writer = try KafkaTopicWriter(bootstrapServers: bootstrap)
        defer { writer.close() }
        for click in clicks {
            try writer.send(topic: topic, key: Array(click.key.utf8), value: Array(click.payload.utf8), headers: click.headers,
                            timestamp: click.ts)
        }
        try writer.flush()
    }

    /// The enrich pipeline's output: key, and the mapped object.
    var expectedEnriched: [String: Int] { enriched(withHeaders: false) }

    /// The same, each with the headers of the click it came from (`describe(_:)`).
    var expectedEnrichedWithHeaders: [String: Int] { enriched(withHeaders: true) }

    private func enriched(withHeaders: Bool) -> [String: Int] {
        var counts: [String: Int] = [:]
        for click in clicks where (click.kind == .good || click.kind == .late) && click.value > 10 && click.page != "/health" {
            let value = #"{"user":"u\#(click.user)","page":"\#(click.page)","value2":\#(click.value * 2),"ts":\#(click.ts)}"#
            counts["\(click.key) \(value)" + (withHeaders ? " " + Self.describe(click.headers) : ""), default: 0] += 1
        }
        return counts
    }

    static func describe(_ headers: [KafkaHeader]) -> String {
        headers.map { "\($0.name)=\($0.value.map { String(decoding: $0, as: UTF8.self) } ?? "<null>")" }.joined(separator: ";")
    }

    struct Row: Hashable, CustomStringConvertible {
        var page: String
        var windowStart: Int64
        var views: Int64
        var total: Int64
        var top: Int64
        var description: String { "\(page)@\(windowStart): \(views) views, total \(total), top \(top)" }
    }

    /// page_views_per_minute: good clicks only (the late ones are dead letters).
    var expectedRows: Set<Row> {
        var rows: [String: Row] = [:]
        for click in clicks where click.kind == .good {
            let start = click.ts - ((click.ts % 60_000) + 60_000) % 60_000
            let id = "\(click.page)@\(start)"
            var row = rows[id] ?? Row(page: click.page, windowStart: start, views: 0, total: 0, top: Int64.min)
            row.views += 1
            row.total += Int64(click.value)
            row.top = max(row.top, Int64(click.value))
            rows[id] = row
        }
        return Set(rows.values)
    }

    /// Dead letters by reason prefix: malformed and wrong-typed clicks fail in both
    /// pipelines, late ones only in the window.
    var expectedDeadLetters: Int {
        clicks.reduce(0) { count, click in
            switch click.kind {
            case .good: return count
            case .malformed, .wrongType: return count + 2
            case .late: return count + 1
            }
        }
    }
}

extension ClickFeed.Row {
    /// The rows of `page_views_per_minute`, as the recomputation states them.
    static func readTable(_ client: PostgresClient) async throws -> Set<ClickFeed.Row> {
        let rows = try await client.query("""
            SELECT page, (extract(epoch FROM window_start) * 1000)::bigint AS start,
                   (extract(epoch FROM window_end) * 1000)::bigint AS "end", views, total::bigint AS total, top::bigint AS top
            FROM page_views_per_minute
            """)
        var table = Set<ClickFeed.Row>()
        for index in 0..<rows.count {
            #expect(rows.int(index, "end") == rows.int(index, "start").map { $0 + 60_000 })
            table.insert(ClickFeed.Row(page: rows[index, "page"] ?? "", windowStart: rows.int(index, "start") ?? 0,
                                       views: rows.int(index, "views") ?? 0, total: rows.int(index, "total") ?? 0,
                                       top: rows.int(index, "top") ?? 0))
        }
        return table
    }
}
