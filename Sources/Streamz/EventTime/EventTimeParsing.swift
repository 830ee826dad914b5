/// How a record field holds its event time.
public enum EventTimeUnit: String, Sendable, Codable, CaseIterable {
    case milliseconds = "ms"
    case seconds = "s"
    case iso8601
}

/// Why an event time could not be read.
public enum EventTimeError: Error, Equatable, CustomStringConvertible {
    case missing
    case notANumber(String)
    case outOfRange(String)
    case malformedISO8601(String)

    public var description: String {
        switch self {
        case .missing: return "no event time"
        case .notANumber(let text): return "event time is not a number: \(text.prefix(64))"
        case .outOfRange(let text): return "event time out of range: \(text.prefix(64))"
        case .malformedISO8601(let text): return "event time is not ISO-8601: \(text.prefix(64))"
        }
    }
}

/// Turns field values into epoch milliseconds. Pure functions, no Foundation: the
/// ISO-8601 path costs tens of nanoseconds, not DateFormatter's microseconds.
public enum EventTimeParser {
    /// Years 0001–9999 in milliseconds: anything outside is a bad record, not a time.
    public static let validRange: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999

    public static func milliseconds(from number: Double, unit: EventTimeUnit) throws -> Int64 {
        guard number.isFinite else { throw EventTimeError.notANumber("\(number)") }
        let scaled = unit == .seconds ? number * 1000 : number
        guard scaled >= Double(validRange.lowerBound), scaled <= Double(validRange.upperBound) else {
            throw EventTimeError.outOfRange("\(number)")
        }
        return Int64(scaled.rounded(.down))
    }

    public static func milliseconds(from number: Int64, unit: EventTimeUnit) throws -> Int64 {
        let (scaled, overflow) = unit == .seconds ? number.multipliedReportingOverflow(by: 1000) : (number, false)
        guard !overflow, validRange.contains(scaled) else { throw EventTimeError.outOfRange("\(number)") }
        return scaled
    }

    /// A field given as text: a number in `unit`, or an ISO-8601 timestamp.
    public static func milliseconds(from text: String, unit: EventTimeUnit) throws -> Int64 {
        switch unit {
        case .iso8601:
            return try iso8601(text)
        case .milliseconds, .seconds:
            if let integer = Int64(text) { return try milliseconds(from: integer, unit: unit) }
            guard let number = Double(text) else { throw EventTimeError.notANumber(text) }
            return try milliseconds(from: number, unit: unit)
        }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM)`; a space may stand for
    /// `T`, and a missing zone means UTC.
    public static func iso8601(_ text: String) throws -> Int64 {
        var utf8 = text
        let parsed = utf8.withUTF8 { parseISO8601($0) }
        guard let parsed else { throw EventTimeError.malformedISO8601(text) }
        return parsed
    }

    private static func parseISO8601(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= b.count else { return nil }
            var value = 0
            for _ in 0..<count {
                let d = Int(b[i]) - 48
                guard d >= 0 && d <= 9 else { return nil }
                value = value * 10 + d
                i += 1
            }
            return value
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2), expect(UInt8(ascii: "-")),
              let day = digits(2) else { return nil }
        guard i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ") else { return nil }
        i += 1
        guard let hour = digits(2), expect(UInt8(ascii: ":")), let minute = digits(2), expect(UInt8(ascii: ":")),
              let second = digits(2) else { return nil }
        var millis = 0
        if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
            i += 1
            var scale = 100, seen = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                millis += Int(b[i] - 48) * scale
                scale /= 10
                seen += 1
                i += 1
            }
            guard seen > 0 else { return nil }
        }
        var offsetMinutes = 0
        if i < b.count {
            if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
                i += 1
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let offsetHours = digits(2) else { return nil }
                _ = expect(UInt8(ascii: ":"))
                guard let offsetMins = digits(2), offsetHours <= 23, offsetMins <= 59 else { return nil }
                offsetMinutes = sign * (offsetHours * 60 + offsetMins)
            } else {
                return nil
            }
        }
        guard i == b.count, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 60 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
