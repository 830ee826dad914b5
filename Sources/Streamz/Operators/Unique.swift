/// Which keys `unique` has seen: all of them, or the `capacity` most recently seen
/// (an LRU, as streamz's `maxsize`).
public struct UniqueState<Key: Hashable> {
    public let capacity: Int?
    // Key -> the stamp of its latest sighting; `order` lists sightings oldest first
    // and may hold stale entries, skipped on eviction (lazy deletion keeps every
    // operation O(1) amortised).
    private var lastSeen: [Key: UInt64] = [:]
    private var order: [(key: Key, stamp: UInt64)] = []
    private var orderStart = 0
    private var clock: UInt64 = 0

    public init(capacity: Int? = nil) {
        precondition(capacity.map { $0 > 0 } ?? true, "unique's maxSize must be positive")
        self.capacity = capacity
    }

    /// True when `key` is new (so the element is emitted). A repeated key counts as a
    /// fresh sighting for the LRU.
    public mutating func admit(_ key: Key) -> Bool {
        guard let capacity else {
            return lastSeen.updateValue(0, forKey: key) == nil
        }
        clock &+= 1
        let isNew = lastSeen.updateValue(clock, forKey: key) == nil
        order.append((key, clock))
        while lastSeen.count > capacity { evictOldest() }
        if order.count - orderStart > 2 * capacity + 16 { compact() }
        return isNew
    }

    public var count: Int { lastSeen.count }

    private mutating func evictOldest() {
        while orderStart < order.count {
            let entry = order[orderStart]
            orderStart += 1
            if lastSeen[entry.key] == entry.stamp {
                lastSeen[entry.key] = nil
                return
            }
        }
    }

    private mutating func compact() {
        order = order[orderStart...].filter { lastSeen[$0.key] == $0.stamp }
        orderStart = 0
    }
}

extension Stream where Element: Hashable {
    /// Drops elements seen before (streamz's `unique`). With `maxSize`, only the most
    /// recently seen `maxSize` values are remembered.
    public final func unique(maxSize: Int? = nil) -> Stream<Element> {
        unique(maxSize: maxSize) { $0 }
    }
}

extension Stream {
    /// Drops elements whose key was seen before.
    public final func unique<Key: Hashable>(
        maxSize: Int? = nil, by key: @escaping (Element) -> Key
    ) -> Stream<Element> {
        let node = Stream<Element>(name: "unique", upstream: self)
        var state = UniqueState<Key>(capacity: maxSize)
        subscribe(node) { element, annotation in
            state.admit(key(element)) ? node.emit(element, annotation) : .ready
        }
        return node
    }
}
