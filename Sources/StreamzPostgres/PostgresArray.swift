/// A one-dimensional array parameter in PostgreSQL's text format, built column by
/// column: `INSERT … SELECT * FROM unnest($1::text[], $2::int8[], …)` sends a whole
/// batch as a handful of bound parameters, so a batch costs one statement and nothing
/// is ever spliced into SQL.
///
/// Every element is double-quoted, with `"` and `\` escaped, so any string (commas,
/// braces, quotes, the word NULL) arrives as written; a nil element is an unquoted NULL.
public struct PostgresArray: PostgresBindable, Sendable {
    private var text: [UInt8] = [UInt8(ascii: "{")]
    public private(set) var count = 0

    public init() {}

    public init<S: Sequence>(_ values: S) where S.Element: PostgresBindable {
        for value in values { append(value) }
    }

    public mutating func append(_ value: some PostgresBindable) {
        append(text: value.postgresText)
    }

    public mutating func append(text value: String?) {
        if count > 0 { text.append(UInt8(ascii: ",")) }
        count += 1
        guard let value else { return text.append(contentsOf: "NULL".utf8) }
        text.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { text.append(UInt8(ascii: "\\")) }
            text.append(byte)
        }
        text.append(UInt8(ascii: "\""))
    }

    /// Integers need no quoting: the fast path for counts and timestamps.
    public mutating func append(_ value: Int64) {
        if count > 0 { text.append(UInt8(ascii: ",")) }
        count += 1
        text.append(contentsOf: String(value).utf8)
    }

    public var postgresText: String? {
        String(decoding: text + [UInt8(ascii: "}")], as: UTF8.self)
    }
}
