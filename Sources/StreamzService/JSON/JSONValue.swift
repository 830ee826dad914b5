/// A JSON document: the records pipelines read, filter, map and write.
///
/// Integers are kept apart from other numbers because records carry ids, counters and
/// epoch-millisecond timestamps that must survive a round trip exactly; a Double would
/// silently round anything beyond 2^53.
///
/// Equality is structural and exact: `.int(1) != .double(1.0)`, and strings and object
/// keys compare by their UTF-8 bytes (so canonically equivalent but differently encoded
/// strings differ, as they do on the wire). Expressions compare numbers by value instead.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// An integer literal that fits Int64.
    case int(Int64)
    /// Every other number: a fraction or exponent, or an integer beyond Int64.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The member `key` when this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        // Swift's String == is canonical equivalence; JSON text is compared byte for byte.
        case (.string(let a), .string(let b)): return UTF8Bytes.equal(a, b)
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }
}
