/// DESIGN.md's commit contract for one partition, as a value with no I/O.
///
/// Records arrive in offset order, perhaps with gaps (compaction, transaction
/// markers). Each in-flight record has a hold count; it is done when the count drops
/// to zero. The committable offset is 1 + the highest offset h such that every record
/// up to h is done, which is the offset of the oldest record still in flight, or one
/// past the last record seen.
public struct PartitionOffsets: Sendable {
    struct InFlight: Sendable {
        let offset: Int64
        let bytes: Int
        var holds: Int32
    }

    /// Records not yet done, oldest first; done ones are popped from the front.
    private var inFlight: [InFlight] = []
    private var head = 0
    /// One past the last record seen.
    public private(set) var nextOffset: Int64
    public private(set) var inFlightRecords = 0
    public private(set) var inFlightBytes = 0

    /// - Parameter position: where consumption starts (the committed offset).
    public init(position: Int64) {
        self.nextOffset = position
    }

    /// The offset to commit: every record below it is done.
    public var committable: Int64 {
        head < inFlight.count ? inFlight[head].offset : nextOffset
    }

    /// A record arrived and is being emitted: one hold, the emitter's.
    public mutating func received(offset: Int64, bytes: Int) {
        precondition(offset >= nextOffset, "offsets go forward within a partition")
        inFlight.append(InFlight(offset: offset, bytes: bytes, holds: 1))
        nextOffset = offset + 1
        inFlightRecords += 1
        inFlightBytes += bytes
    }

    /// Adds a hold to a record still in flight. A done record is not revived: the
    /// committed offset may already be past it.
    public mutating func retain(offset: Int64) {
        guard let index = index(of: offset), inFlight[index].holds > 0 else { return }
        inFlight[index].holds += 1
    }

    /// Drops a hold; returns true when that made the record done.
    @discardableResult
    public mutating func release(offset: Int64) -> Bool {
        guard let index = index(of: offset), inFlight[index].holds > 0 else { return false }
        inFlight[index].holds -= 1
        guard inFlight[index].holds == 0 else { return false }
        inFlightRecords -= 1
        inFlightBytes -= inFlight[index].bytes
        // Pop the done prefix, so `committable` is O(1).
        while head < inFlight.count, inFlight[head].holds == 0 { head += 1 }
        if head == inFlight.count {
            inFlight.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 4096, head * 2 >= inFlight.count {
            inFlight.removeFirst(head)
            head = 0
        }
        return true
    }

    /// Whether `offset` is still held by something.
    public func isInFlight(_ offset: Int64) -> Bool {
        index(of: offset).map { inFlight[$0].holds > 0 } ?? false
    }

    private func index(of offset: Int64) -> Int? {
        // Most lookups are for the newest record (the emitter's release, a sink's
        // retain) or the oldest (in-order deliveries): check those before searching.
        if let last = inFlight.indices.last, last >= head, inFlight[last].offset == offset { return last }
        guard head < inFlight.count, offset >= inFlight[head].offset else { return nil }
        // Without gaps (no compaction, no transaction markers) the distance from the
        // oldest offset is the distance in the array.
        let distance = offset - inFlight[head].offset
        if distance < Int64(inFlight.count - head) {
            let guess = head + Int(distance)
            if inFlight[guess].offset == offset { return guess }
        }
        var low = head, high = inFlight.count
        while low < high {
            let middle = (low + high) / 2
            if inFlight[middle].offset < offset { low = middle + 1 } else { high = middle }
        }
        return low < inFlight.count && inFlight[low].offset == offset ? low : nil
    }
}
