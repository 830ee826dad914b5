/// Keyed event-time windows as a value with no I/O and no timers: records go in with
/// `add`, the watermark moves with `advance`, and results come back as values.
///
/// A window closes when the watermark reaches `end + grace`; closed windows are
/// evicted at once. A record whose windows have all closed is late and goes nowhere
/// but back to the caller, who routes it to the late output.
public struct WindowState<Key: Hashable, Aggregation: WindowAggregation> {
    public typealias Result = WindowResult<Key, Aggregation>

    public enum AddOutcome: Equatable {
        case added
        case late(missed: [WindowBounds])
        case partiallyLate(missed: [WindowBounds])
    }

    @usableFromInline struct Entry {
        @usableFromInline var partial: Aggregation.Partial
        /// In update mode: the change since the last result; nil when clean.
        @usableFromInline var delta: Aggregation.Partial?
        @inlinable init(partial: Aggregation.Partial) { self.partial = partial }
    }

    /// A tumbling or hopping window: partials per key, and in update mode the deltas
    /// apart, so final mode pays for nothing it does not use.
    @usableFromInline struct AlignedWindow {
        @usableFromInline let bounds: WindowBounds
        @usableFromInline var partials: [Key: Aggregation.Partial]
        @usableFromInline var deltas: [Key: Aggregation.Partial] = [:]
        @inlinable init(bounds: WindowBounds, capacity: Int) {
            self.bounds = bounds
            self.partials = Dictionary(minimumCapacity: capacity)
        }
    }

    struct Session {
        var first: Int64
        var last: Int64
        var partial: Aggregation.Partial
        var replaced: [WindowBounds] = []
        var dirty = false
    }

    struct SlidingKey {
        var times: [Int64] = []
        var partials: [Aggregation.Partial] = []
        var windows: [Int64: Entry] = [:]
    }

    public let kind: WindowKind
    public let graceMillis: Int64
    /// Update mode: keep deltas and report changed windows through `flushUpdates`.
    public let tracksUpdates: Bool
    @usableFromInline let aggregation: Aggregation

    /// Tumbling and hopping windows, oldest start first.
    @usableFromInline var aligned: [AlignedWindow] = []
    var sessions: [Key: [Session]] = [:]
    var sliding: [Key: SlidingKey] = [:]
    /// Session and sliding closing times, with the keys to look at then.
    @usableFromInline var closeTimes = MinHeap<Int64>()
    var keysClosingAt: [Int64: [Key]] = [:]
    /// Aligned and sliding windows with a delta; sessions with a pending change.
    @usableFromInline var dirty: [(key: Key, window: WindowBounds)] = []
    var dirtySessionKeys: [Key] = []
    @usableFromInline var scratch: [WindowBounds] = []
    /// Keys of the last aligned window to close: a complete window, the best guess for
    /// the size of the next one.
    @usableFromInline var lastClosedKeyCount = 0

    /// The watermark the state has seen; windows ending at or before it minus grace are closed.
    public var watermark: Int64 { storedWatermark }
    @usableFromInline var storedWatermark: Int64 = Annotation.noTime

    public init(kind: WindowKind, grace: Duration = .zero, aggregation: Aggregation, tracksUpdates: Bool = false) throws {
        try kind.validate()
        guard grace >= .zero else { throw WindowSpecError.nonPositive("grace") }
        self.kind = kind
        self.graceMillis = grace.milliseconds
        self.aggregation = aggregation
        self.tracksUpdates = tracksUpdates
    }

    @inlinable func isClosed(end: Int64) -> Bool {
        watermark != Annotation.noTime && end + graceMillis <= watermark
    }

    // MARK: Adding records

    @inlinable
    public mutating func add(_ input: Aggregation.Input, key: Key, eventTime: Int64) -> AddOutcome {
        switch kind {
        case .tumbling(let size):
            let start = floorDivide(eventTime, size) * size
            let bounds = WindowBounds(start: start, end: start + size)
            if isClosed(end: bounds.end) { return .late(missed: [bounds]) }
            addAligned(input, key: key, eventTime: eventTime, bounds: bounds)
            return .added
        case .hopping:
            scratch.removeAll(keepingCapacity: true)
            kind.alignedWindows(containing: eventTime, into: &scratch)
            var missed: [WindowBounds] = []
            for bounds in scratch {
                if isClosed(end: bounds.end) { missed.append(bounds); continue }
                addAligned(input, key: key, eventTime: eventTime, bounds: bounds)
            }
            if missed.isEmpty { return .added }
            return missed.count == scratch.count ? .late(missed: missed) : .partiallyLate(missed: missed)
        case .session(let gap):
            return addToSession(input, key: key, eventTime: eventTime, gap: gap)
        case .sliding(let size):
            return addToSliding(input, key: key, eventTime: eventTime, size: size)
        }
    }

    @inlinable
    mutating func addAligned(_ input: Aggregation.Input, key: Key, eventTime: Int64, bounds: WindowBounds) {
        let index = alignedIndex(for: bounds)
        let empty = aggregation.empty
        aggregation.add(input, eventTime: eventTime, to: &aligned[index].partials[key, default: empty])
        if tracksUpdates {
            if aligned[index].deltas[key] == nil { dirty.append((key, bounds)) }
            aggregation.add(input, eventTime: eventTime, to: &aligned[index].deltas[key, default: empty])
        }
    }

    /// The index of the aligned window with these bounds, inserted if new. Recent
    /// windows sit at the end, so the search starts there.
    @inlinable
    mutating func alignedIndex(for bounds: WindowBounds) -> Int {
        var index = aligned.count - 1
        while index >= 0 {
            let start = aligned[index].bounds.start
            if start == bounds.start { return index }
            if start < bounds.start { break }
            index -= 1
        }
        // Presize from the newest window: windows of one stream hold similar key counts,
        // and growing a dictionary of thousands of keys rehashes it several times.
        let capacity = max(lastClosedKeyCount, aligned.last?.partials.count ?? 0)
        aligned.insert(AlignedWindow(bounds: bounds, capacity: capacity), at: index + 1)
        return index + 1
    }

    @usableFromInline
    mutating func addToSession(_ input: Aggregation.Input, key: Key, eventTime t: Int64, gap: Int64) -> AddOutcome {
        var list = sessions[key] ?? []
        // A record at t opens [t, t + gap); it merges with every session it overlaps.
        let overlapping = list.indices.filter { t < list[$0].last + gap && list[$0].first < t + gap }
        var merged = Session(first: t, last: t, partial: aggregation.empty)
        if overlapping.isEmpty {
            if isClosed(end: t + gap) { return .late(missed: [WindowBounds(start: t, end: t + gap)]) }
        } else {
            for index in overlapping {
                let session = list[index]
                merged.first = min(merged.first, session.first)
                merged.last = max(merged.last, session.last)
                merged.partial = aggregation.merge(merged.partial, session.partial)
                if tracksUpdates {
                    // What a sink wrote under the old bounds must go.
                    merged.replaced += session.replaced
                    merged.replaced.append(WindowBounds(start: session.first, end: session.last + gap))
                }
            }
            list.removeSubrange(overlapping.first!...overlapping.last!)
        }
        aggregation.add(input, eventTime: t, to: &merged.partial)
        let bounds = WindowBounds(start: merged.first, end: merged.last + gap)
        merged.replaced.removeAll { $0 == bounds }
        if tracksUpdates {
            merged.dirty = true
            dirtySessionKeys.append(key)
        }
        let position = list.firstIndex { $0.first > merged.first } ?? list.count
        list.insert(merged, at: position)
        sessions[key] = list
        scheduleClose(of: key, at: bounds.end + graceMillis)
        return .added
    }

    @usableFromInline
    mutating func addToSliding(_ input: Aggregation.Input, key: Key, eventTime t: Int64, size: Int64) -> AddOutcome {
        let bounds = WindowBounds(start: t - size, end: t + 1)
        if isClosed(end: bounds.end) { return .late(missed: [bounds]) }
        var state = sliding[key] ?? SlidingKey()
        var single = aggregation.empty
        aggregation.add(input, eventTime: t, to: &single)
        // Keep one partial per distinct record time, in time order.
        let position = state.times.firstIndex { $0 >= t } ?? state.times.count
        if position < state.times.count, state.times[position] == t {
            state.partials[position] = aggregation.merge(state.partials[position], single)
        } else {
            state.times.insert(t, at: position)
            state.partials.insert(single, at: position)
        }
        // Every open window whose range holds t takes the record.
        for end in Array(state.windows.keys) where end - size <= t && t <= end && end != t {
            addDelta(single, to: &state.windows[end]!, key: key, window: WindowBounds(start: end - size, end: end + 1))
        }
        if state.windows[t] != nil {
            addDelta(single, to: &state.windows[t]!, key: key, window: bounds)
        } else {
            var partial = aggregation.empty
            for (index, time) in state.times.enumerated() where time >= t - size && time <= t {
                partial = aggregation.merge(partial, state.partials[index])
            }
            var entry = Entry(partial: partial)
            if tracksUpdates {
                entry.delta = partial
                dirty.append((key, bounds))
            }
            state.windows[t] = entry
            scheduleClose(of: key, at: bounds.end + graceMillis)
        }
        sliding[key] = state
        return .added
    }

    mutating func addDelta(_ single: Aggregation.Partial, to entry: inout Entry, key: Key, window: WindowBounds) {
        entry.partial = aggregation.merge(entry.partial, single)
        guard tracksUpdates else { return }
        if entry.delta == nil {
            entry.delta = single
            dirty.append((key, window))
        } else {
            entry.delta = aggregation.merge(entry.delta!, single)
        }
    }

    mutating func scheduleClose(of key: Key, at time: Int64) {
        if keysClosingAt[time] == nil { closeTimes.push(time) }
        keysClosingAt[time, default: []].append(key)
    }
}
