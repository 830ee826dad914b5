#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What expressions may read besides the record. Tests inject a fixed clock.
public struct EvaluationContext: Sendable {
    /// For `now()`: milliseconds since the Unix epoch.
    public var nowMillis: @Sendable () -> Int64

    public init(nowMillis: @escaping @Sendable () -> Int64 = { EvaluationContext.wallClockMillis() }) {
        self.nowMillis = nowMillis
    }

    /// The wall clock, from the C library rather than Foundation, which this module avoids.
    public static func wallClockMillis() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
