/// Strict RFC 8259 parsing of records, by hand and byte by byte: this is the hot path of
/// every pipeline, and Foundation's parser is several times slower.
///
/// Rejects invalid UTF-8, unescaped control characters, lone surrogate escapes, leading
/// zeros, trailing commas, NaN and Infinity, numbers beyond Double's range and anything
/// after the value but whitespace. The last of duplicate keys wins. Nesting deeper than
/// `maxDepth` is an error rather than a stack overflow; each level takes about 0.5 KB of
/// stack in release builds and 2.5 KB in debug builds, so raise it with care.
public enum JSONParser {
    public static let defaultMaxDepth = 128

    public static func parse(
        _ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        return try reader.readDocument()
    }

    /// A document whose top-level object keeps only the members `projection` names
    /// (see `JSONProjection`); the rest is validated as strictly, but not built.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, projecting projection: JSONProjection, maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        return try reader.readDocument(projecting: projection)
    }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(buffer, maxDepth: maxDepth) }
        }
        return try result.get()
    }

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(JSONParseError) -> JSONValue in
                try parse(UnsafeRawBufferPointer(buffer), maxDepth: maxDepth)
            }
        }
        return try result.get()
    }
}
