import Streamz
@testable import StreamzPostgres
import Testing

@Suite struct WindowTableTests {
    @Test func theStateRoundTripsThroughItsBinaryForm() throws {
        for kind in [WindowKind.tumbling(.seconds(1)), .hopping(.seconds(2), advance: .seconds(1)),
                     .sliding(.seconds(1)), .session(gap: .seconds(1))] {
            var state = try WindowState<[String], ColumnAggregation>(kind: kind, aggregation: ColumnAggregation())
            for index in 0..<200 {
                _ = state.add(SIMD4(Double(index), -Double(index), 0.5, .infinity), key: ["k\(index % 7)", "ü\"\\,"],
                              eventTime: Int64(index * 37))
            }
            state.advance(to: 3_000) { _ in }
            let checkpoint = state.checkpoint()
            let decoded = try WindowStateCoding.decode(WindowStateCoding.encode(checkpoint), as: [String].self)
            #expect(decoded == checkpoint, "\(kind)")
        }
    }

    @Test func corruptStateIsAnErrorNotACrash() {
        let good = WindowStateCoding.encode(WindowCheckpoint<String, ColumnAggregation.Partial>(
            watermark: 5, windows: [.init(key: "a", window: WindowBounds(start: 0, end: 10), partial: .init())],
            slidingRecords: []))
        for cut in [0, 1, 9, 20, good.count - 1] {
            #expect(throws: (any Error).self) { try WindowStateCoding.decode(Array(good.prefix(cut)), as: String.self) }
        }
        var huge = good
        huge.replaceSubrange(9..<17, with: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])
        #expect(throws: (any Error).self) { try WindowStateCoding.decode(huge, as: String.self) }
    }

    @Test func tablesQuoteEveryNameAndRejectClashes() throws {
        let table = try WindowTable(name: "we\"ird", keyColumns: ["user id"], aggregates: [
            AggregateColumn("n", .count), AggregateColumn("mean", .avg, input: 1),
        ])
        #expect(table.createSQL.contains("CREATE TABLE IF NOT EXISTS \"we\"\"ird\""))
        #expect(table.createSQL.contains("\"mean__sum\" double precision"))
        #expect(table.upsertSQL.contains("ON CONFLICT (\"user id\", window_start)"))
        #expect(throws: WindowTableError.reservedColumn("window_start")) {
            try WindowTable(name: "t", keyColumns: ["window_start"], aggregates: [AggregateColumn("n", .count)])
        }
        #expect(throws: WindowTableError.duplicateColumn("n")) {
            try WindowTable(name: "t", keyColumns: ["n"], aggregates: [AggregateColumn("n", .count)])
        }
        #expect(throws: WindowTableError.inputOutOfRange(column: "s", input: 4)) {
            try WindowTable(name: "t", keyColumns: [], aggregates: [AggregateColumn("s", .sum, input: 4)])
        }
        #expect(throws: WindowTableError.noAggregates) { try WindowTable(name: "t", keyColumns: ["k"], aggregates: []) }
    }

    /// Every aggregate merges as the table's ON CONFLICT does, on a real server.
    @Test func deltasMergeInTheTable() async throws {
        guard let base = serverURLForTests() else { return }
        let (url, name) = try await freshDatabase(base)
        let client = PostgresClient(url: url)
        let table = try WindowTable(name: "agg", keyColumns: ["k"], aggregates: [
            AggregateColumn("n", .count), AggregateColumn("s", .sum), AggregateColumn("lo", .min),
            AggregateColumn("hi", .max), AggregateColumn("mean", .avg),
        ])
        try await client.query(table.createSQL)
        let aggregation = ColumnAggregation()
        var first = aggregation.empty, second = aggregation.empty
        for value in [1.0, 5.0] { aggregation.add(SIMD4(repeating: value), eventTime: 0, to: &first) }
        for value in [-2.0, 3.0, 10.0] { aggregation.add(SIMD4(repeating: value), eventTime: 0, to: &second) }
        let window = WindowBounds(start: 60_000, end: 120_000)
        for partial in [first, second] {
            try await client.query(table.upsertSQL, table.upsertParameters([WindowRow(key: ["x'); DROP TABLE agg; --"], window: window, partial: partial)]))
        }
        let rows = try await client.query("SELECT k, n, s, lo, hi, mean, extract(epoch FROM window_end)::bigint AS e FROM agg")
        client.close()
        await dropDatabase(base, name)
        #expect(rows.count == 1)
        #expect(rows[0, "k"] == "x'); DROP TABLE agg; --")
        #expect(rows.int(0, "n") == 5 && rows.double(0, "s") == 17 && rows.double(0, "lo") == -2 && rows.double(0, "hi") == 10)
        #expect(rows.double(0, "mean") == 17.0 / 5 && rows.int(0, "e") == 120)
    }
}
