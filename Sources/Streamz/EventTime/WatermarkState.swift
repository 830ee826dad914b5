/// Watermarks per partition and for the pipeline, as a value with no I/O.
///
/// - A partition's watermark is the highest event time it has shown, minus the
///   allowed out-of-orderness.
/// - The pipeline watermark is the minimum over partitions that are not idle. A
///   partition is idle once `markIdle(now:)`, called on a timer, finds it silent for
///   the idle timeout; its next record wakes it. When every partition is idle the
///   watermark holds.
///
/// `observe` reads no clock: it only flags the partition as seen, and the periodic
/// `markIdle(now:)` turns flags into last-seen times. That keeps a clock read off the
/// per-record path.
/// - It never goes backwards, not even when a lagging partition is assigned or wakes.
public struct WatermarkState: Sendable, Codable, Equatable {
    public struct Partition: Sendable, Codable, Equatable {
        public var maxEventTime: Int64
        /// Processing time (clock `now`, in ms) when it was last found active.
        public var lastSeen: Int64
        public var seenSinceCheck: Bool
        public var idle: Bool
    }

    public let maxOutOfOrderMillis: Int64
    public let idleTimeoutMillis: Int64
    /// Indexed by partition number (Kafka's are small and dense): one array access per
    /// record instead of a hash lookup.
    private var slots: [Partition?] = []
    /// The partition whose watermark is the minimum: only its advance can move the
    /// pipeline watermark, so other partitions' records skip the recomputation.
    private var holder: Int?
    /// The pipeline watermark; `Annotation.noTime` until there is one.
    public private(set) var watermark: Int64 = Annotation.noTime

    /// Partition numbers outside this range share slots (folded by modulo), so a
    /// hostile partition key cannot allocate without bound.
    public static let partitionLimit = 65_536

    private static func slot(_ partition: Int) -> Int {
        (0..<partitionLimit).contains(partition) ? partition : Int(partition.magnitude % UInt(partitionLimit))
    }

    public init(maxOutOfOrderMillis: Int64 = 0, idleTimeoutMillis: Int64 = 30_000) {
        precondition(maxOutOfOrderMillis >= 0 && idleTimeoutMillis > 0)
        self.maxOutOfOrderMillis = maxOutOfOrderMillis
        self.idleTimeoutMillis = idleTimeoutMillis
    }

    public func watermark(ofPartition partition: Int) -> Int64? {
        let index = Self.slot(partition)
        guard index < slots.count else { return nil }
        return slots[index].map { $0.maxEventTime == Annotation.noTime ? Annotation.noTime : $0.maxEventTime - maxOutOfOrderMillis }
    }

    /// Records an event time from `partition`; returns the pipeline watermark.
    @discardableResult
    public mutating func observe(_ eventTime: Int64, partition: Int = 0) -> Int64 {
        let index = Self.slot(partition)
        if index < slots.count, var state = slots[index] {
            let wasIdle = state.idle
            let advanced = eventTime > state.maxEventTime
            if advanced { state.maxEventTime = eventTime }
            state.seenSinceCheck = true
            state.idle = false
            slots[index] = state
            if wasIdle || (advanced && (holder == nil || holder == index)) { recompute() }
        } else {
            if index >= slots.count { slots.append(contentsOf: repeatElement(nil, count: index + 1 - slots.count)) }
            slots[index] = Partition(maxEventTime: eventTime, lastSeen: 0, seenSinceCheck: true, idle: false)
            recompute()
        }
        return watermark
    }

    /// Adds a partition that has shown nothing yet: it holds the watermark back until
    /// it shows something or goes idle.
    public mutating func assign(_ partition: Int, now: Int64) {
        let index = Self.slot(partition)
        if index >= slots.count { slots.append(contentsOf: repeatElement(nil, count: index + 1 - slots.count)) }
        if slots[index] == nil {
            slots[index] = Partition(maxEventTime: Annotation.noTime, lastSeen: now, seenSinceCheck: false, idle: false)
            recompute()
        }
    }

    /// Forgets a partition (revoked): it no longer holds the watermark back.
    public mutating func revoke(_ partition: Int) {
        let index = Self.slot(partition)
        guard index < slots.count else { return }
        slots[index] = nil
        recompute()
    }

    /// Marks partitions silent since `now - idleTimeout` idle; returns the watermark.
    @discardableResult
    public mutating func markIdle(now: Int64) -> Int64 {
        var changed = false
        for index in slots.indices {
            guard let state = slots[index] else { continue }
            if state.seenSinceCheck {
                slots[index]!.lastSeen = now
                slots[index]!.seenSinceCheck = false
            } else if !state.idle && now - state.lastSeen >= idleTimeoutMillis {
                slots[index]!.idle = true
                changed = true
            }
        }
        if changed { recompute() }
        return watermark
    }

    /// Raises the watermark to at least `floor` (close-on-idle, or a restored checkpoint).
    public mutating func raise(to floor: Int64) {
        watermark = max(watermark, floor)
    }

    mutating func recompute() {
        var lowest = Int64.max
        holder = nil
        for (index, slot) in slots.enumerated() {
            guard let state = slot, !state.idle else { continue }
            // A partition that has shown nothing holds everything back.
            let partitionWatermark = state.maxEventTime == Annotation.noTime
                ? Annotation.noTime : state.maxEventTime - maxOutOfOrderMillis
            if partitionWatermark < lowest {
                lowest = partitionWatermark
                holder = index
            }
        }
        if lowest != Int64.max { watermark = max(watermark, lowest) }
    }
}
