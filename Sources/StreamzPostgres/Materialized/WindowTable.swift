import Streamz

public enum WindowTableError: Error, CustomStringConvertible, Equatable {
    case noAggregates
    case duplicateColumn(String)
    case reservedColumn(String)
    case inputOutOfRange(column: String, input: Int)

    public var description: String {
        switch self {
        case .noAggregates: return "a window table needs at least one aggregate column"
        case .duplicateColumn(let name): return "column \(name) appears twice in the window table"
        case .reservedColumn(let name): return "column \(name) is reserved by the window table"
        case .inputOutOfRange(let column, let input):
            return "aggregate \(column) reads value \(input); a record has at most \(ColumnAggregation.maxInputs)"
        }
    }
}

/// A table of materialized window aggregates, one per window spec.
///
/// The DDL (`createSQL`), created when missing:
///
///     CREATE TABLE "page_views" (
///         "page"       text NOT NULL,              -- each key column, as text
///         window_start timestamptz NOT NULL,
///         window_end   timestamptz NOT NULL,
///         "views"      bigint NOT NULL,            -- count()
///         "total"      double precision,           -- sum, min, max, avg
///         "mean"       double precision,           -- avg, kept as the two hidden
///         "mean__sum"  double precision,           --   columns below so that
///         "mean__count" bigint,                    --   deltas can add up
///         PRIMARY KEY ("page", window_start))
///
/// Rows are written additively in both emit modes: counts and sums add, min and max go
/// through LEAST and GREATEST, avg is recomputed from its hidden sum and count. A
/// window's contributions arrive from several partitions (and, scaled out, several
/// processes) and, in update mode, as deltas; each lands exactly once because the
/// offsets that produced it commit in the same transaction.
public struct WindowTable: Sendable, Equatable {
    public let name: String
    public let keyColumns: [String]
    public let aggregates: [AggregateColumn]

    public init(name: String, keyColumns: [String], aggregates: [AggregateColumn]) throws {
        guard !aggregates.isEmpty else { throw WindowTableError.noAggregates }
        var seen = Set<String>()
        let reserved: Set<String> = ["window_start", "window_end"]
        for column in keyColumns + aggregates.map(\.name) {
            if reserved.contains(column) || column.hasSuffix("__sum") || column.hasSuffix("__count") {
                throw WindowTableError.reservedColumn(column)
            }
            guard seen.insert(column).inserted else { throw WindowTableError.duplicateColumn(column) }
        }
        for column in keyColumns + aggregates.flatMap({ $0.function == .avg ? [$0.name + "__sum", $0.name + "__count"] : [$0.name] }) {
            _ = try SQLIdentifier.quote(column)
        }
        for aggregate in aggregates where aggregate.function != .count {
            guard (0..<ColumnAggregation.maxInputs).contains(aggregate.input) else {
                throw WindowTableError.inputOutOfRange(column: aggregate.name, input: aggregate.input)
            }
        }
        _ = try SQLIdentifier.qualified(name)
        self.name = name
        self.keyColumns = keyColumns
        self.aggregates = aggregates
    }

    private static func quote(_ name: String) -> String { (try? SQLIdentifier.quote(name)) ?? name }

    private var qualifiedName: String { (try? SQLIdentifier.qualified(name)) ?? name }

    public var createSQL: String {
        var columns = keyColumns.map { "\(Self.quote($0)) text NOT NULL" }
        columns += ["window_start timestamptz NOT NULL", "window_end timestamptz NOT NULL"]
        for aggregate in aggregates {
            let column = Self.quote(aggregate.name)
            switch aggregate.function {
            case .count: columns.append("\(column) bigint NOT NULL")
            case .sum, .min, .max: columns.append("\(column) double precision")
            case .avg:
                columns.append("\(column) double precision")
                columns.append("\(Self.quote(aggregate.name + "__sum")) double precision")
                columns.append("\(Self.quote(aggregate.name + "__count")) bigint")
            }
        }
        let primaryKey = (keyColumns.map(Self.quote) + ["window_start"]).joined(separator: ", ")
        return "CREATE TABLE IF NOT EXISTS \(qualifiedName) (\n    "
            + (columns + ["PRIMARY KEY (\(primaryKey))"]).joined(separator: ",\n    ") + "\n)"
    }

    /// The array parameters, in order: each key column (text[]), window start and end
    /// (epoch ms, int8[]), the count (int8[]), then one float8[] per non-count column.
    public var upsertSQL: String {
        let keys = keyColumns.indices.map { "k\($0)" }
        var values: [String] = []
        var unnestTypes = keyColumns.map { _ in "text[]" } + ["int8[]", "int8[]", "int8[]"]
        var targets = keyColumns.map(Self.quote) + ["window_start", "window_end"]
        var selects = keys + ["'epoch'::timestamptz + u.ws * interval '1 millisecond'",
                              "'epoch'::timestamptz + u.we * interval '1 millisecond'"]
        var updates = ["window_end = excluded.window_end"]
        for (index, aggregate) in aggregates.enumerated() {
            let column = Self.quote(aggregate.name)
            let value = "v\(index)"
            targets.append(column)
            if aggregate.function == .count {
                selects.append("u.n")
                updates.append("\(column) = t.\(column) + excluded.\(column)")
                continue
            }
            values.append(value)
            unnestTypes.append("float8[]")
            switch aggregate.function {
            case .count: break
            case .sum:
                selects.append("u.\(value)")
                updates.append("\(column) = t.\(column) + excluded.\(column)")
            case .min:
                selects.append("u.\(value)")
                updates.append("\(column) = LEAST(t.\(column), excluded.\(column))")
            case .max:
                selects.append("u.\(value)")
                updates.append("\(column) = GREATEST(t.\(column), excluded.\(column))")
            case .avg:
                let sum = Self.quote(aggregate.name + "__sum"), count = Self.quote(aggregate.name + "__count")
                targets += [sum, count]
                selects += ["u.\(value) / NULLIF(u.n, 0)", "u.\(value)", "u.n"]
                updates += ["\(sum) = t.\(sum) + excluded.\(sum)", "\(count) = t.\(count) + excluded.\(count)",
                            "\(column) = (t.\(sum) + excluded.\(sum)) / NULLIF(t.\(count) + excluded.\(count), 0)"]
            }
        }
        let aliases = keys + ["ws", "we", "n"] + values
        let unnest = unnestTypes.enumerated().map { "$\($0.offset + 1)::\($0.element)" }.joined(separator: ", ")
        let conflict = (keyColumns.map(Self.quote) + ["window_start"]).joined(separator: ", ")
        return """
            INSERT INTO \(qualifiedName) AS t (\(targets.joined(separator: ", ")))
            SELECT \(selects.joined(separator: ", "))
            FROM unnest(\(unnest)) AS u(\(aliases.joined(separator: ", ")))
            ON CONFLICT (\(conflict)) DO UPDATE SET \(updates.joined(separator: ", "))
            """
    }

    /// The parameters of `upsertSQL` for `rows`.
    public func upsertParameters(_ rows: [WindowRow]) -> [any PostgresBindable] {
        var keys = keyColumns.map { _ in PostgresArray() }
        var starts = PostgresArray(), ends = PostgresArray(), counts = PostgresArray()
        let valued = aggregates.filter { $0.function != .count }
        var values = valued.map { _ in PostgresArray() }
        for row in rows {
            for index in keys.indices { keys[index].append(text: row.key[index]) }
            starts.append(row.window.start)
            ends.append(row.window.end)
            counts.append(row.partial.count)
            for (index, aggregate) in valued.enumerated() {
                let lane = aggregate.input
                switch aggregate.function {
                case .count: break
                case .sum, .avg: values[index].append(row.partial.sum[lane])
                case .min: values[index].append(row.partial.min[lane])
                case .max: values[index].append(row.partial.max[lane])
                }
            }
        }
        return keys + [starts, ends, counts] + values
    }
}

/// One row to merge into a window table.
public struct WindowRow: Sendable {
    public var key: [String]
    public var window: WindowBounds
    public var partial: ColumnAggregation.Partial
    /// False for an update of a window still open (update mode, downstream).
    public var isFinal: Bool

    public init(key: [String], window: WindowBounds, partial: ColumnAggregation.Partial, isFinal: Bool = true) {
        self.key = key
        self.window = window
        self.partial = partial
        self.isFinal = isFinal
    }

    /// The value of an aggregate column, as the table would hold it.
    public func value(of column: AggregateColumn) -> Double {
        switch column.function {
        case .count: return Double(partial.count)
        case .sum: return partial.sum[column.input]
        case .min: return partial.min[column.input]
        case .max: return partial.max[column.input]
        case .avg: return partial.count == 0 ? .nan : partial.sum[column.input] / Double(partial.count)
        }
    }
}
