/// One generated click.
struct Click: Sendable {
    var user: Int
    var page: String
    var value: Int
    /// Event time, epoch milliseconds.
    var ts: Int64

    var json: String { #"{"user":"u\#(user)","page":"\#(page)","value":\#(value),"ts":\#(ts)}"# }
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
