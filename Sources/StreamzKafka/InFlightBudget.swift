/// Records and bytes in flight for one source, kept apart from the source itself.
///
/// Every record changes these counters twice, so they live in a small class that
/// nothing references weakly: plain reference counting, not the side-table path a
/// weakly referenced object (like the source) would take on every retain. The source
/// hears only when a bound is crossed. Like the graph, it is used on one thread only,
/// so its counters skip Swift's run-time exclusivity checks.
final class InFlightBudget {
    @exclusivity(unchecked) private(set) var records = 0
    @exclusivity(unchecked) private(set) var bytes = 0
    @exclusivity(unchecked) private(set) var peakRecords = 0
    @exclusivity(unchecked) private(set) var peakBytes = 0
    let maxRecords: Int
    let maxBytes: Int
    /// Mirrors whether the source has stopped consuming.
    @exclusivity(unchecked) var blocked = false
    /// Called when the counts cross a bound (up) or half of both (down). Set to nil at
    /// shutdown to break the cycle through the source.
    var onCross: (() -> Void)?

    init(maxRecords: Int, maxBytes: Int) {
        self.maxRecords = maxRecords
        self.maxBytes = maxBytes
    }

    var isOver: Bool { records >= maxRecords || bytes >= maxBytes }
    var isUnderHalf: Bool { records <= maxRecords / 2 && bytes <= maxBytes / 2 }

    func change(records deltaRecords: Int, bytes deltaBytes: Int) {
        records += deltaRecords
        bytes += deltaBytes
        if deltaRecords > 0 {
            if records > peakRecords { peakRecords = records }
            if bytes > peakBytes { peakBytes = bytes }
            if !blocked && isOver { onCross?() }
        } else if blocked && isUnderHalf {
            onCross?()
        }
    }
}
