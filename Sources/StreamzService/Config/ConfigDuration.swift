/// Durations as written in the config: a whole number and a unit, `500ms`, `2s`, `1m`,
/// `1h`, `1d`. A bare number is refused: `5` could mean seconds or milliseconds.
enum ConfigDuration {
    struct Invalid: Error {
        let message: String
    }

    /// Nothing here (window, grace, idleness) makes sense beyond a week, and the cap
    /// keeps millisecond arithmetic far from overflow.
    static let maximumMilliseconds: Int64 = 7 * 86_400_000

    static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    static func parse(_ text: String, allowZero: Bool) throws(Invalid) -> Duration {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let suffix = text.dropFirst(digits.count)
        if text.hasPrefix("-") {
            throw Invalid(message: "duration '\(text)' must not be negative")
        }
        if !digits.isEmpty && suffix.isEmpty {
            throw Invalid(message: "duration '\(text)' needs a unit: ms, s, m, h or d")
        }
        guard !digits.isEmpty, let unit = units.first(where: { $0.suffix == suffix }) else {
            throw Invalid(message: "'\(text)' is not a duration (expected a whole number and a unit: ms, s, m, h or d, as in 500ms or 2s)")
        }
        guard let count = Int64(digits) else { throw tooLong(text) }
        let (milliseconds, overflow) = count.multipliedReportingOverflow(by: unit.milliseconds)
        guard !overflow, milliseconds <= maximumMilliseconds else { throw tooLong(text) }
        guard milliseconds > 0 || allowZero else {
            throw Invalid(message: "duration must be greater than 0, got '\(text)'")
        }
        return .milliseconds(milliseconds)
    }

    /// The largest whole unit that fits, for messages: 60000 ms prints as "1m".
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1_000 + attoseconds / 1_000_000_000_000_000
        for unit in units.reversed() where milliseconds % unit.milliseconds == 0 && milliseconds != 0 {
            return "\(milliseconds / unit.milliseconds)\(unit.suffix)"
        }
        return "\(milliseconds)ms"
    }

    private static func tooLong(_ text: String) -> Invalid {
        Invalid(message: "duration '\(text)' is too long (at most 7d)")
    }
}
