/// The open-window state of a window operator, for a checkpoint: partial aggregates
/// and the watermark that decides what is late. Restoring it and replaying from the
/// offsets stored beside it neither double-counts nor turns late records on-time.
public struct WindowCheckpoint<Key, Partial> {
    public struct Entry {
        public var key: Key
        public var window: WindowBounds
        public var partial: Partial
    }

    public struct SlidingRecords {
        public var key: Key
        public var times: [Int64]
        public var partials: [Partial]
    }

    public var watermark: Int64
    /// Open windows of every kind: for sessions `window.end` is last record + gap.
    public var windows: [Entry]
    /// For sliding windows: the records later windows may still need.
    public var slidingRecords: [SlidingRecords]
}

extension WindowCheckpoint.Entry: Codable where Key: Codable, Partial: Codable {}
extension WindowCheckpoint.SlidingRecords: Codable where Key: Codable, Partial: Codable {}
extension WindowCheckpoint: Codable where Key: Codable, Partial: Codable {}
extension WindowCheckpoint.Entry: Equatable where Key: Equatable, Partial: Equatable {}
extension WindowCheckpoint.SlidingRecords: Equatable where Key: Equatable, Partial: Equatable {}
extension WindowCheckpoint: Equatable where Key: Equatable, Partial: Equatable {}
