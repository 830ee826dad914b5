@testable import Streamz

/// Counts holds per tracked record, as an offset tracker would, and remembers which
/// records became done and in what order.
final class RecordingTracker: OriginTracker {
    private(set) var holds: [Int: Int] = [:]
    private(set) var done: [Int] = []

    override func retain(_ slot: Int) { holds[slot, default: 0] += 1 }

    override func release(_ slot: Int) {
        let remaining = holds[slot, default: 0] - 1
        precondition(remaining >= 0, "slot \(slot) released more often than retained")
        holds[slot] = remaining
        if remaining == 0 { done.append(slot) }
    }

    func isDone(_ slot: Int) -> Bool { done.contains(slot) }

    /// Emits `element` as a source does: hold the record for the duration of `emit`.
    @discardableResult
    func emit<T>(_ element: T, slot: Int, into stream: Stream<T>, eventTime: Int64 = Annotation.noTime) -> Ack {
        let origin = Origin(tracker: self, slot: slot)
        origin.retain()
        let ack = stream.emit(element, Annotation(eventTime: eventTime, origin: origin))
        origin.release()
        return ack
    }
}

/// Lets a test decide when an async body may finish.
actor Gate {
    private var opened: Set<Int> = []
    private var waiting: [Int: [CheckedContinuation<Void, Never>]] = [:]

    func wait(_ id: Int) async {
        if opened.contains(id) { return }
        await withCheckedContinuation { waiting[id, default: []].append($0) }
    }

    func open(_ id: Int) {
        opened.insert(id)
        for continuation in waiting.removeValue(forKey: id) ?? [] { continuation.resume() }
    }

    func isWaiting(_ id: Int) -> Bool { !(waiting[id] ?? []).isEmpty }
}
