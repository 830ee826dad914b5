/// What travels beside an element: its event time and where it came from.
///
/// Annotations are passed next to the element rather than wrapped around it, so a
/// plain `Stream<Int>` pays three machine words per hop and nothing else.
public struct Annotation {
    /// Milliseconds since the Unix epoch, or `Annotation.noTime`.
    public var eventTime: Int64
    /// The record this element derives from, for commit-on-acknowledge.
    public var origin: Origin?

    public static let noTime = Int64.min

    @inlinable public init(eventTime: Int64 = Annotation.noTime, origin: Origin? = nil) {
        self.eventTime = eventTime
        self.origin = origin
    }

    @inlinable public static var none: Annotation { Annotation() }

    @inlinable public var hasEventTime: Bool { eventTime != Annotation.noTime }
}

/// A handle on a tracked source record (a Kafka offset, say).
///
/// The contract: whoever emits an element holds its origin for the duration of the
/// `emit` call. A receiver that keeps the element, or anything derived from it, after
/// `emit` returns calls `retain()`, and calls `release()` once what it emitted for it
/// has been acknowledged downstream. When the last hold goes, the tracker learns the
/// record is done. A filter that drops an element simply does not retain it.
public struct Origin {
    public let tracker: OriginTracker
    public let slot: Int

    @inlinable public init(tracker: OriginTracker, slot: Int) {
        self.tracker = tracker
        self.slot = slot
    }

    @inlinable public func retain() { tracker.retain(slot) }
    @inlinable public func release() { tracker.release(slot) }
}

/// Counts holds on tracked records. Subclasses decide what "done" means: an offset
/// tracker marks the offset committable, an `OriginGroup` releases its members.
open class OriginTracker {
    public init() {}
    open func retain(_ slot: Int) {}
    open func release(_ slot: Int) {}
}
