extension Stream where Element: Hashable {
    /// A running count per value, emitted as a dictionary after each element
    /// (streamz's `frequencies`).
    public final func frequencies() -> Accumulator<[Element: Int], [Element: Int]> {
        let node = accumulate([Element: Int]()) { counts, element in
            var counts = counts
            counts[element, default: 0] += 1
            return counts
        }
        node.name = "frequencies"
        return node
    }
}
