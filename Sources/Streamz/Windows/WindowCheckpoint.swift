/// The open-window state of a window operator, for a checkpoint: partial aggregates
/// and the watermark that decides what is late. Restoring it and replaying from the
/// offsets stored beside it neither double-counts nor turns late records on-time.
public struct WindowCheckpoint<Key, Partial> {
    public struct Entry {
        public var key: Key
        public var window: WindowBounds
        public var partial: Partial

        public init(key: Key, window: WindowBounds, partial: Partial) {
            self.key = key
            self.window = window
            self.partial = partial
        }
    }

    public struct SlidingRecords {
        public var key: Key
        public var times: [Int64]
        public var partials: [Partial]

        public init(key: Key, times: [Int64], partials: [Partial]) {
            self.key = key
            self.times = times
            self.partials = partials
        }
    }

    public var watermark: Int64
    /// Open windows of every kind: for sessions `window.end` is last record + gap.
    public var windows: [Entry]
    /// For sliding windows: the records later windows may still need.
    public var slidingRecords: [SlidingRecords]

    public init(watermark: Int64, windows: [Entry], slidingRecords: [SlidingRecords]) {
        self.watermark = watermark
        self.windows = windows
        self.slidingRecords = slidingRecords
    }
}

extension WindowCheckpoint.Entry: Codable where Key: Codable, Partial: Codable {}
extension WindowCheckpoint.SlidingRecords: Codable where Key: Codable, Partial: Codable {}
extension WindowCheckpoint: Codable where Key: Codable, Partial: Codable {}
extension WindowCheckpoint.Entry: Equatable where Key: Equatable, Partial: Equatable {}
extension WindowCheckpoint.SlidingRecords: Equatable where Key: Equatable, Partial: Equatable {}
extension WindowCheckpoint: Equatable where Key: Equatable, Partial: Equatable {}
