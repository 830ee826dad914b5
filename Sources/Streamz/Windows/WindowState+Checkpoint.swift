extension WindowState {
    /// The open-window state and watermark. Take it after `flushUpdates()` (a
    /// checkpoint flushes sinks first), so no unreported delta is left behind.
    public func checkpoint() -> WindowCheckpoint<Key, Aggregation.Partial> {
        var windows: [WindowCheckpoint<Key, Aggregation.Partial>.Entry] = []
        var records: [WindowCheckpoint<Key, Aggregation.Partial>.SlidingRecords] = []
        for window in aligned {
            for (key, partial) in window.partials { windows.append(.init(key: key, window: window.bounds, partial: partial)) }
        }
        if case .session(let gap) = kind {
            for (key, list) in sessions {
                for session in list {
                    windows.append(.init(key: key, window: WindowBounds(start: session.first, end: session.last + gap),
                                         partial: session.partial))
                }
            }
        }
        if case .sliding(let size) = kind {
            for (key, state) in sliding {
                for (end, entry) in state.windows {
                    windows.append(.init(key: key, window: WindowBounds(start: end - size, end: end + 1), partial: entry.partial))
                }
                records.append(.init(key: key, times: state.times, partials: state.partials))
            }
        }
        return WindowCheckpoint(watermark: watermark, windows: windows, slidingRecords: records)
    }

    /// A state restored from `checkpoint`, for the same window kind and aggregation.
    public init(
        kind: WindowKind, grace: Duration = .zero, aggregation: Aggregation, tracksUpdates: Bool = false,
        restoring checkpoint: WindowCheckpoint<Key, Aggregation.Partial>
    ) throws {
        try self.init(kind: kind, grace: grace, aggregation: aggregation, tracksUpdates: tracksUpdates)
        storedWatermark = checkpoint.watermark
        for entry in checkpoint.windows {
            switch kind {
            case .tumbling, .hopping:
                let index = alignedIndex(for: entry.window)
                aligned[index].partials[entry.key] = entry.partial
            case .session(let gap):
                let session = Session(first: entry.window.start, last: entry.window.end - gap, partial: entry.partial)
                var list = sessions[entry.key] ?? []
                let position = list.firstIndex { $0.first > session.first } ?? list.count
                list.insert(session, at: position)
                sessions[entry.key] = list
                scheduleClose(of: entry.key, at: entry.window.end + graceMillis)
            case .sliding:
                sliding[entry.key, default: SlidingKey()].windows[entry.window.end - 1] = Entry(partial: entry.partial)
                scheduleClose(of: entry.key, at: entry.window.end + graceMillis)
            }
        }
        for record in checkpoint.slidingRecords {
            sliding[record.key, default: SlidingKey()].times = record.times
            sliding[record.key, default: SlidingKey()].partials = record.partials
        }
    }
}
