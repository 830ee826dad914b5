/// A dictionary key that matches strings by UTF-8 bytes, for the index the parser builds
/// over large objects: `[String: Int]` would merge canonically equivalent keys that
/// `JSONObject` keeps apart.
struct UTF8Key: Hashable {
    let string: String

    static func == (lhs: UTF8Key, rhs: UTF8Key) -> Bool { UTF8Bytes.equal(lhs.string, rhs.string) }

    func hash(into hasher: inout Hasher) { hasher.combine(string) }
}
