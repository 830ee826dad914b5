extension WindowState {
    /// Moves the watermark (never backwards) and returns the final results of the
    /// windows it closes, in order of window end.
    public mutating func advance(to newWatermark: Int64) -> [Result] {
        guard newWatermark != Annotation.noTime, watermark == Annotation.noTime || newWatermark > watermark else { return [] }
        watermark = newWatermark
        var results: [Result] = []
        while let first = aligned.first, isClosed(end: first.bounds.end) {
            aligned.removeFirst()
            for (key, entry) in first.entries {
                results.append(final(key: key, window: first.bounds, entry: entry))
            }
        }
        while let time = closeTimes.min, time <= watermark {
            closeTimes.pop()
            for key in keysClosingAt.removeValue(forKey: time) ?? [] {
                closeDue(key: key, into: &results, all: false)
            }
        }
        if results.count > 1 { results.sort { $0.window < $1.window } }
        return results
    }

    /// Closes every open window now, whatever the watermark, and raises the watermark
    /// past them so their records count as late from now on (close-on-idle).
    public mutating func closeAll() -> [Result] {
        var results: [Result] = []
        for window in aligned {
            for (key, entry) in window.entries { results.append(final(key: key, window: window.bounds, entry: entry)) }
        }
        aligned = []
        for key in Array(sessions.keys) + Array(sliding.keys) { closeDue(key: key, into: &results, all: true) }
        closeTimes = MinHeap()
        keysClosingAt = [:]
        dirty = []
        dirtySessionKeys = []
        if let latest = results.map({ $0.window.end + graceMillis }).max() {
            watermark = max(watermark, latest)
        }
        results.sort { $0.window < $1.window }
        return results
    }

    /// Results for every window that changed since the last flush (update mode), with
    /// the delta since then; the deltas reset.
    public mutating func flushUpdates() -> [Result] {
        guard tracksUpdates else { return [] }
        var results: [Result] = []
        for (key, window) in dirty {
            switch kind {
            case .tumbling, .hopping:
                guard let index = aligned.firstIndex(where: { $0.bounds == window }),
                      let entry = aligned[index].entries[key], let delta = entry.delta else { continue }
                aligned[index].entries[key]!.delta = nil
                results.append(update(key: key, window: window, partial: entry.partial, delta: delta))
            case .sliding(let size):
                let end = window.end - 1
                guard let entry = sliding[key]?.windows[end], let delta = entry.delta else { continue }
                sliding[key]!.windows[end]!.delta = nil
                results.append(update(key: key, window: WindowBounds(start: end - size, end: window.end),
                                      partial: entry.partial, delta: delta))
            case .session:
                continue
            }
        }
        dirty = []
        if case .session(let gap) = kind {
            for key in dirtySessionKeys {
                guard var list = sessions[key] else { continue }
                for index in list.indices where list[index].dirty {
                    let session = list[index]
                    results.append(Result(key: key, window: WindowBounds(start: session.first, end: session.last + gap),
                                          partial: session.partial, value: aggregation.result(session.partial),
                                          delta: nil, replaces: session.replaced, isFinal: false))
                    list[index].dirty = false
                    list[index].replaced = []
                }
                sessions[key] = list
            }
            dirtySessionKeys = []
        }
        return results
    }

    /// Open (key, window) pairs.
    public var openWindowCount: Int {
        aligned.reduce(0) { $0 + $1.entries.count }
            + sessions.values.reduce(0) { $0 + $1.count }
            + sliding.values.reduce(0) { $0 + $1.windows.count }
    }

    // MARK: Helpers

    func final(key: Key, window: WindowBounds, entry: Entry) -> Result {
        Result(key: key, window: window, partial: entry.partial, value: aggregation.result(entry.partial),
               delta: tracksUpdates ? entry.delta : nil, replaces: [], isFinal: true)
    }

    func update(key: Key, window: WindowBounds, partial: Aggregation.Partial, delta: Aggregation.Partial) -> Result {
        Result(key: key, window: window, partial: partial, value: aggregation.result(partial),
               delta: delta, replaces: [], isFinal: false)
    }

    /// Closes the key's due session or sliding windows (all of them with `all`), and
    /// drops the sliding records no open or future window can need.
    mutating func closeDue(key: Key, into results: inout [Result], all: Bool) {
        switch kind {
        case .session(let gap):
            guard var list = sessions[key] else { return }
            list.removeAll { session in
                let bounds = WindowBounds(start: session.first, end: session.last + gap)
                guard all || isClosed(end: bounds.end) else { return false }
                results.append(Result(key: key, window: bounds, partial: session.partial,
                                      value: aggregation.result(session.partial), delta: nil,
                                      replaces: tracksUpdates ? session.replaced : [], isFinal: true))
                return true
            }
            sessions[key] = list.isEmpty ? nil : list
        case .sliding(let size):
            guard var state = sliding[key] else { return }
            for end in state.windows.keys.sorted() where all || isClosed(end: end + 1) {
                results.append(final(key: key, window: WindowBounds(start: end - size, end: end + 1), entry: state.windows[end]!))
                state.windows[end] = nil
            }
            // A record at r is needed while a window ending at or after r can still open
            // or is open: the earliest such end is watermark - grace.
            let keepFrom = all ? Int64.max : watermark - graceMillis - size
            let drop = state.times.firstIndex { $0 >= keepFrom } ?? state.times.count
            state.times.removeFirst(drop)
            state.partials.removeFirst(drop)
            sliding[key] = state.windows.isEmpty && state.times.isEmpty ? nil : state
        case .tumbling, .hopping:
            break
        }
    }
}
