extension WindowState {
    /// Moves the watermark (never backwards) and returns the final results of the
    /// windows it closes, in order of window end.
    @inlinable
    public mutating func advance(to newWatermark: Int64) -> [Result] {
        var results: [Result] = []
        advance(to: newWatermark) { results.append($0) }
        return results
    }

    /// `advance(to:)` handing each result to `body` as it is made: no array of results
    /// is built, which matters when a window of many keys closes.
    @inlinable
    public mutating func advance(to newWatermark: Int64, _ body: (Result) -> Void) {
        guard newWatermark != Annotation.noTime, watermark == Annotation.noTime || newWatermark > watermark else { return }
        storedWatermark = newWatermark
        // Aligned windows close oldest first, so their results come out in order.
        while let first = aligned.first, isClosed(end: first.bounds.end) {
            aligned.removeFirst()
            lastClosedKeyCount = first.partials.count
            for (key, partial) in first.partials {
                body(final(key: key, window: first.bounds, partial: partial,
                           delta: tracksUpdates ? first.deltas[key] : nil))
            }
        }
        if let time = closeTimes.min, time <= watermark {
            var results: [Result] = []
            closeSessionsAndSliding(into: &results)
            for result in results { body(result) }
        }
    }

    @usableFromInline
    mutating func closeSessionsAndSliding(into results: inout [Result]) {
        while let time = closeTimes.min, time <= watermark {
            closeTimes.pop()
            for key in keysClosingAt.removeValue(forKey: time) ?? [] {
                closeDue(key: key, into: &results, all: false)
            }
        }
        if results.count > 1 { results.sort { $0.window < $1.window } }
    }

    /// Closes every open window now, whatever the watermark, and raises the watermark
    /// past them so their records count as late from now on (close-on-idle).
    public mutating func closeAll() -> [Result] {
        var results: [Result] = []
        for window in aligned {
            for (key, partial) in window.partials {
                results.append(final(key: key, window: window.bounds, partial: partial,
                                     delta: tracksUpdates ? window.deltas[key] : nil))
            }
        }
        aligned = []
        for key in Array(sessions.keys) + Array(sliding.keys) { closeDue(key: key, into: &results, all: true) }
        closeTimes = MinHeap()
        keysClosingAt = [:]
        dirty = []
        dirtySessionKeys = []
        if let latest = results.map({ $0.window.end + graceMillis }).max() {
            storedWatermark = max(watermark, latest)
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
                      let partial = aligned[index].partials[key],
                      let delta = aligned[index].deltas.removeValue(forKey: key) else { continue }
                results.append(update(key: key, window: window, partial: partial, delta: delta))
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
                    results += retractions(of: session.replaced, key: key)
                    results.append(Result(key: key, window: WindowBounds(start: session.first, end: session.last + gap),
                                          partial: session.partial, value: aggregation.result(session.partial),
                                          delta: nil, emission: .update))
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
        aligned.reduce(0) { $0 + $1.partials.count }
            + sessions.values.reduce(0) { $0 + $1.count }
            + sliding.values.reduce(0) { $0 + $1.windows.count }
    }

    // MARK: Helpers

    @inlinable
    func final(key: Key, window: WindowBounds, partial: Aggregation.Partial, delta: Aggregation.Partial?) -> Result {
        Result(key: key, window: window, partial: partial, value: aggregation.result(partial),
               delta: delta, emission: .final)
    }

    func update(key: Key, window: WindowBounds, partial: Aggregation.Partial, delta: Aggregation.Partial) -> Result {
        Result(key: key, window: window, partial: partial, value: aggregation.result(partial),
               delta: delta, emission: .update)
    }

    func retractions(of windows: [WindowBounds], key: Key) -> [Result] {
        let empty = aggregation.empty
        return windows.map {
            Result(key: key, window: $0, partial: empty, value: aggregation.result(empty), delta: nil, emission: .retraction)
        }
    }

    /// Closes the key's due session or sliding windows (all of them with `all`), and
    /// drops the sliding records no open or future window can need.
    @usableFromInline
    mutating func closeDue(key: Key, into results: inout [Result], all: Bool) {
        switch kind {
        case .session(let gap):
            guard var list = sessions[key] else { return }
            list.removeAll { session in
                let bounds = WindowBounds(start: session.first, end: session.last + gap)
                guard all || isClosed(end: bounds.end) else { return false }
                if tracksUpdates { results += retractions(of: session.replaced, key: key) }
                results.append(Result(key: key, window: bounds, partial: session.partial,
                                      value: aggregation.result(session.partial), delta: nil, emission: .final))
                return true
            }
            sessions[key] = list.isEmpty ? nil : list
        case .sliding(let size):
            guard var state = sliding[key] else { return }
            for end in state.windows.keys.sorted() where all || isClosed(end: end + 1) {
                let entry = state.windows[end]!
                results.append(final(key: key, window: WindowBounds(start: end - size, end: end + 1),
                                     partial: entry.partial, delta: entry.delta))
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
