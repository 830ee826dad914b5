/// When a window operator emits.
public enum WindowEmitMode: Sendable, Equatable {
    /// Once per window, when it closes.
    case final
    /// On every change, at most once per `throttle` per window (zero: on every record),
    /// plus a final result when it closes.
    case update(throttle: Duration)
}

/// Keyed event-time windows over a stream (tumbling, hopping, sliding, session).
///
/// Each element needs an event time (see `withEventTime`). The watermark comes from
/// the shared `Watermarks`; a window closes when it reaches `end + grace`. Results go
/// downstream, stamped with the event time `end - 1` (as Flink does); records for
/// closed windows, and elements without event time, go to `late`.
///
/// Windows hold state for long, so they do not hold their records' origins: a record
/// is done once its contribution is in a checkpoint (`checkpoint()`), which is how the
/// service commits.
public final class WindowNode<Element, Key: Hashable, Aggregation: WindowAggregation>: Stream<WindowResult<Key, Aggregation>> {
    public typealias Result = WindowResult<Key, Aggregation>

    @usableFromInline @exclusivity(unchecked) var state: WindowState<Key, Aggregation>
    public let watermarks: Watermarks
    /// Late records and records without event time.
    public let late: Stream<LateRecord<Element>>
    public let emitMode: WindowEmitMode
    public let closeOnIdle: Duration?
    public internal(set) var lateCount = 0

    @usableFromInline let key: (Element) -> Key
    @usableFromInline let input: (Element) -> Aggregation.Input
    @usableFromInline let ownsWatermarks: Bool
    @usableFromInline let emitsUpdates: Bool
    @usableFromInline var throttleArmed = false
    @usableFromInline @exclusivity(unchecked) var arrivedSinceIdleCheck = false
    @usableFromInline var idleCheckArmed = false
    private var silentChecks = 0

    /// Not yet subscribed: the factory subscribes, so the per-record closure is
    /// specialised where the element types are known.
    @usableFromInline init(
        upstream: Stream<Element>, kind: WindowKind, grace: Duration, aggregation: Aggregation,
        emit: WindowEmitMode, closeOnIdle: Duration?, watermarks: Watermarks?,
        key: @escaping (Element) -> Key, input: @escaping (Element) -> Aggregation.Input
    ) throws {
        var tracksUpdates = false
        if case .update = emit { tracksUpdates = true }
        self.state = try WindowState(kind: kind, grace: grace, aggregation: aggregation, tracksUpdates: tracksUpdates)
        self.watermarks = watermarks ?? Watermarks(clock: upstream.clock)
        self.ownsWatermarks = watermarks == nil
        self.late = Stream(name: "late", upstream: upstream)
        self.emitMode = emit
        self.closeOnIdle = closeOnIdle
        self.key = key
        self.input = input
        self.emitsUpdates = tracksUpdates
        super.init(name: "window", upstream: upstream)
        self.watermarks.onAdvance { [weak self] watermark in self?.advance(to: watermark) }
    }

    /// Open (key, window) pairs.
    public var openWindows: Int { state.openWindowCount }

    @inlinable
    func receive(_ element: Element, _ annotation: Annotation) -> Ack {
        guard annotation.hasEventTime else {
            return reject(element, annotation, reason: .missingEventTime, missed: [])
        }
        if ownsWatermarks { watermarks.observe(annotation.eventTime) }
        if closeOnIdle != nil {
            arrivedSinceIdleCheck = true
            if !idleCheckArmed { armIdleCheck() }
        }
        var ack = Ack.ready
        switch state.add(input(element), key: key(element), eventTime: annotation.eventTime) {
        case .added:
            break
        case .late(let missed):
            ack = reject(element, annotation, reason: .late, missed: missed)
        case .partiallyLate(let missed):
            ack = reject(element, annotation, reason: .partiallyLate, missed: missed)
        }
        if emitsUpdates { ack = Ack.all(ack, emitUpdates()) }
        let watermark = watermarks.current
        if watermark != state.watermark { ack = Ack.all(ack, advance(to: watermark)) }
        return ack
    }

    /// Update mode: emits the changes now, or arms the throttle.
    @usableFromInline
    func emitUpdates() -> Ack {
        guard case .update(let throttle) = emitMode else { return .ready }
        if throttle == .zero { return emitAll(state.flushUpdates()) }
        if !throttleArmed {
            throttleArmed = true
            clock.schedule(after: throttle) { [weak self] in
                guard let self else { return }
                self.throttleArmed = false
                self.emitAll(self.state.flushUpdates())
            }
        }
        return .ready
    }

    /// Closes what the watermark passed. In update mode a final result carries the
    /// delta not yet reported, so pending updates need no flush first.
    @inlinable @discardableResult
    func advance(to watermark: Int64) -> Ack {
        var ack = Ack.ready
        state.advance(to: watermark) { result in
            ack = Ack.all(ack, emit(result, Annotation(eventTime: result.window.end - 1)))
        }
        return ack
    }

    @usableFromInline
    func reject(_ element: Element, _ annotation: Annotation, reason: LateRecord<Element>.Reason, missed: [WindowBounds]) -> Ack {
        lateCount += 1
        let record = LateRecord(element: element, eventTime: annotation.eventTime, watermark: state.watermark,
                                reason: reason, missedWindows: missed)
        return late.emit(record, annotation)
    }

    @inlinable @discardableResult
    func emitAll(_ results: [Result]) -> Ack {
        var ack = Ack.ready
        for result in results {
            ack = Ack.all(ack, emit(result, Annotation(eventTime: result.window.end - 1)))
        }
        return ack
    }

    /// Checks for silence a few times per idle period, so windows close between one
    /// and one and a quarter idle periods after the last record.
    @usableFromInline
    func armIdleCheck() {
        guard let closeOnIdle else { return }
        idleCheckArmed = true
        clock.schedule(after: closeOnIdle / 4) { [weak self] in
            guard let self else { return }
            self.idleCheckArmed = false
            if self.arrivedSinceIdleCheck {
                self.arrivedSinceIdleCheck = false
                self.silentChecks = 0
                self.armIdleCheck()
                return
            }
            self.silentChecks += 1
            if self.silentChecks < 4 { return self.armIdleCheck() }
            self.silentChecks = 0
            self.closeAllNow()
        }
    }

    /// Closes every open window now (close-on-idle, or a final drain).
    @discardableResult
    public func closeAllNow() -> Ack {
        let ack = emitAll(state.closeAll())
        watermarks.raise(to: state.watermark)
        return ack
    }

    /// Emits pending updates, then returns the open-window state and the watermark
    /// state to persist with the offsets.
    public func checkpoint() -> (windows: WindowCheckpoint<Key, Aggregation.Partial>, watermarks: WatermarkState) {
        if case .update = emitMode { emitAll(state.flushUpdates()) }
        return (state.checkpoint(), watermarks.state)
    }

    /// Replaces the open-window state and the watermark with checkpointed ones.
    public func restore(_ windows: WindowCheckpoint<Key, Aggregation.Partial>, watermarks saved: WatermarkState) throws {
        state = try WindowState(kind: state.kind, grace: .milliseconds(state.graceMillis), aggregation: state.aggregation,
                                tracksUpdates: state.tracksUpdates, restoring: windows)
        watermarks.restore(saved)
    }
}

extension Stream {
    /// Keyed event-time windows with a custom aggregation.
    @inlinable
    public final func window<Key: Hashable, Aggregation: WindowAggregation>(
        _ kind: WindowKind, grace: Duration = .zero, emit: WindowEmitMode = .final,
        closeOnIdle: Duration? = nil, watermarks: Watermarks? = nil,
        key: @escaping (Element) -> Key, aggregation: Aggregation,
        input: @escaping (Element) -> Aggregation.Input
    ) throws -> WindowNode<Element, Key, Aggregation> {
        let node = try WindowNode(upstream: self, kind: kind, grace: grace, aggregation: aggregation, emit: emit,
                                  closeOnIdle: closeOnIdle, watermarks: watermarks, key: key, input: input)
        subscribe(node) { element, annotation in node.receive(element, annotation) }
        return node
    }

    /// Keyed event-time windows with count, sum, min, max, avg, first and last of
    /// `value` (count only: leave `value` out).
    @inlinable
    public final func window<Key: Hashable>(
        _ kind: WindowKind, grace: Duration = .zero, emit: WindowEmitMode = .final,
        closeOnIdle: Duration? = nil, watermarks: Watermarks? = nil,
        key: @escaping (Element) -> Key, value: @escaping (Element) -> Double = { _ in 0 }
    ) throws -> WindowNode<Element, Key, Summary> {
        try window(kind, grace: grace, emit: emit, closeOnIdle: closeOnIdle, watermarks: watermarks,
                   key: key, aggregation: Summary(), input: value)
    }
}
