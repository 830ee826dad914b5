/// Origins held together: a batch, a zipped tuple, a window's contents.
///
/// An operator that emits one element derived from several held elements makes a
/// group origin for it. The group starts with one hold (the emitter's, for the
/// duration of `emit`); when the last hold on the group goes, every member origin is
/// released. So a batch stays "not done" for as long as anything downstream keeps it.
public final class OriginGroup: OriginTracker {
    private var groups: [Int: (holds: Int, members: [Origin])] = [:]
    private var nextSlot = 0

    public override init() {}

    /// Takes over the caller's holds on `members` and returns an origin standing for
    /// all of them, holding it once for the caller. Nil when there is nothing to hold.
    public func origin(holding members: [Origin]) -> Origin? {
        if members.isEmpty { return nil }
        if members.count == 1 { return members[0] }
        let slot = nextSlot
        nextSlot &+= 1
        groups[slot] = (1, members)
        return Origin(tracker: self, slot: slot)
    }

    public override func retain(_ slot: Int) {
        groups[slot]?.holds += 1
    }

    public override func release(_ slot: Int) {
        guard var group = groups[slot] else { return }
        group.holds -= 1
        if group.holds > 0 {
            groups[slot] = group
            return
        }
        groups[slot] = nil
        for member in group.members { member.release() }
    }
}

/// The origins an operator holds while it keeps elements: retains on `hold`, and
/// turns the whole set into one group origin when it emits them.
public struct HeldOrigins {
    @usableFromInline var origins: [Origin] = []
    @usableFromInline var latestEventTime = Annotation.noTime

    @inlinable public init() {}

    public var count: Int { origins.count }

    @inlinable public mutating func hold(_ annotation: Annotation) {
        if let origin = annotation.origin {
            origin.retain()
            origins.append(origin)
        }
        if annotation.eventTime > latestEventTime { latestEventTime = annotation.eventTime }
    }

    /// Moves the held origins out as one annotation, held once for the emitter.
    @inlinable public mutating func take(into group: OriginGroup) -> Annotation {
        defer { origins = []; latestEventTime = Annotation.noTime }
        if origins.isEmpty { return Annotation(eventTime: latestEventTime) }
        if origins.count == 1 { return Annotation(eventTime: latestEventTime, origin: origins[0]) }
        let taken = origins
        return Annotation(eventTime: latestEventTime, origin: group.origin(holding: taken))
    }
}

extension Stream {
    /// Emits an element built from held elements: the held origins become one group
    /// origin that stays held for as long as anything downstream keeps the element.
    @inlinable @discardableResult
    public final func emit(_ element: Element, releasing held: inout HeldOrigins, through group: OriginGroup) -> Ack {
        let annotation = held.take(into: group)
        let ack = emit(element, annotation)
        annotation.origin?.release()
        return ack
    }
}
