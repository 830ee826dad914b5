import Streamz

/// The origins of messages handed to the producer and not yet reported, by token.
/// Tokens are handed out in order, so an array indexed by `token - base` replaces a
/// hash map; reports that come out of order just leave holes until the front closes.
struct DeliveryLedger {
    private struct Entry {
        var origin: Origin?
        var open: Bool
    }

    private var entries: [Entry] = []
    private var head = 0
    private var base = 1
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Records a new message; returns its token.
    mutating func open(_ origin: Origin?) -> Int {
        entries.append(Entry(origin: origin, open: true))
        count += 1
        return base + entries.count - 1
    }

    /// Closes `token`; returns its origin (nil if unknown or already closed).
    mutating func close(_ token: Int) -> Origin?? {
        let index = token - base
        guard index >= head, index < entries.count, entries[index].open else { return nil }
        let origin = entries[index].origin
        entries[index] = Entry(origin: nil, open: false)
        count -= 1
        while head < entries.count, !entries[head].open { head += 1 }
        if head == entries.count {
            base += entries.count
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 4096, head * 2 >= entries.count {
            entries.removeFirst(head)
            base += head
            head = 0
        }
        return .some(origin)
    }
}
