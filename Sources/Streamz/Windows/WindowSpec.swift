/// A window: `[start, end)` in epoch milliseconds.
public struct WindowBounds: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var start: Int64
    public var end: Int64

    @inlinable public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    @inlinable public func contains(_ time: Int64) -> Bool { start <= time && time < end }

    public static func < (a: WindowBounds, b: WindowBounds) -> Bool { (a.end, a.start) < (b.end, b.start) }

    public var description: String { "[\(start), \(end))" }
}

/// The shape of a window, in milliseconds.
///
/// - `tumbling(size)`: epoch-aligned, back to back: `[k·size, (k+1)·size)`.
/// - `hopping(size, advance)`: epoch-aligned, every `advance`; a record belongs to every
///   window with `start ≤ t < start + size` (Kafka Streams' hopping, Flink's sliding).
/// - `sliding(size)`: Kafka Streams' sliding windows, defined by records: each distinct
///   record time `t` of a key has the window `[t − size, t]`, **both ends inclusive**,
///   aggregating the key's records in it. It is reported half-open as
///   `[t − size, t + 1)`.
/// - `session(gap)`: per key, records closer together than `gap` share a window;
///   sessions merge when a record bridges them. As in Flink, a session of records
///   `first…last` is reported as `[first, last + gap)`.
public enum WindowKind: Sendable, Hashable, Codable {
    case tumbling(size: Int64)
    case hopping(size: Int64, advance: Int64)
    case sliding(size: Int64)
    case session(gap: Int64)

    public static func tumbling(_ size: Duration) -> WindowKind { .tumbling(size: size.milliseconds) }
    public static func hopping(_ size: Duration, advance: Duration) -> WindowKind {
        .hopping(size: size.milliseconds, advance: advance.milliseconds)
    }
    public static func sliding(_ size: Duration) -> WindowKind { .sliding(size: size.milliseconds) }
    public static func session(gap: Duration) -> WindowKind { .session(gap: gap.milliseconds) }

    /// Checks the sizes: positive, and an advance no larger than the size.
    public func validate() throws {
        switch self {
        case .tumbling(let size), .sliding(let size):
            guard size > 0 else { throw WindowSpecError.nonPositive("size") }
        case .hopping(let size, let advance):
            guard size > 0 else { throw WindowSpecError.nonPositive("size") }
            guard advance > 0 else { throw WindowSpecError.nonPositive("advance") }
            guard advance <= size else { throw WindowSpecError.advanceLargerThanSize }
        case .session(let gap):
            guard gap > 0 else { throw WindowSpecError.nonPositive("gap") }
        }
    }

    /// The epoch-aligned windows holding `time` (tumbling and hopping), oldest first.
    @inlinable public func alignedWindows(containing time: Int64, into windows: inout [WindowBounds]) {
        switch self {
        case .tumbling(let size):
            let start = floorDivide(time, size) * size
            windows.append(WindowBounds(start: start, end: start + size))
        case .hopping(let size, let advance):
            var start = floorDivide(time, advance) * advance
            var found: [WindowBounds] = []
            while start > time - size {
                found.append(WindowBounds(start: start, end: start + size))
                start -= advance
            }
            windows.append(contentsOf: found.reversed())
        case .sliding, .session:
            break
        }
    }
}

public enum WindowSpecError: Error, Equatable, CustomStringConvertible {
    case nonPositive(String)
    case advanceLargerThanSize

    public var description: String {
        switch self {
        case .nonPositive(let field): return "window \(field) must be positive"
        case .advanceLargerThanSize: return "hopping window advance must not exceed its size"
        }
    }
}

/// Floor division, so windows before the epoch align too.
@inlinable func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let quotient = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
}

extension Duration {
    /// Whole milliseconds, rounded down.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
