import Foundation
import Testing
@testable import Streamz

@Suite struct EventTimeParsingTests {
    static let iso: [(String, Int64)] = [
        ("1970-01-01T00:00:00Z", 0),
        ("2024-02-29T12:34:56.789Z", 1_709_210_096_789),
        ("2024-02-29 12:34:56.7Z", 1_709_210_096_700),
        ("2024-02-29T14:34:56+02:00", 1_709_210_096_000),
        ("2024-02-29T07:04:56-0530", 1_709_210_096_000),
        ("2024-02-29T12:34:56", 1_709_210_096_000),
        ("1969-12-31T23:59:59.999Z", -1),
    ]

    @Test(arguments: iso)
    func parsesISO8601(text: String, millis: Int64) throws {
        #expect(try EventTimeParser.iso8601(text) == millis)
    }

    @Test func agreesWithFoundationOnRandomDates() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var seconds: Int64 = -2_000_000_000
        while seconds < 4_000_000_000 {
            let date = Date(timeIntervalSince1970: Double(seconds) + 0.25)
            #expect(try EventTimeParser.iso8601(formatter.string(from: date)) == seconds * 1000 + 250)
            seconds += 86_400 * 397 + 3_611
        }
    }

    static let malformed = ["", "2024", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-01-01T24:00:00Z",
                            "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00Zjunk", "2024-01-01T00:00:00+25:00",
                            "２０２４-01-01T00:00:00Z", "'; DROP TABLE x; --", String(repeating: "9", count: 10_000)]

    @Test(arguments: malformed)
    func rejectsMalformedTimestamps(text: String) {
        #expect(throws: EventTimeError.self) { try EventTimeParser.iso8601(text) }
    }

    @Test func numbersInMillisecondsAndSeconds() throws {
        #expect(try EventTimeParser.milliseconds(from: "1700000000123", unit: .milliseconds) == 1_700_000_000_123)
        #expect(try EventTimeParser.milliseconds(from: "1700000000.5", unit: .seconds) == 1_700_000_000_500)
        #expect(try EventTimeParser.milliseconds(from: Int64(1_700_000_000), unit: .seconds) == 1_700_000_000_000)
        #expect(throws: EventTimeError.self) { try EventTimeParser.milliseconds(from: Double.nan, unit: .milliseconds) }
        #expect(throws: EventTimeError.self) { try EventTimeParser.milliseconds(from: Int64.max, unit: .seconds) }
        #expect(throws: EventTimeError.self) { try EventTimeParser.milliseconds(from: "1e300", unit: .milliseconds) }
        #expect(throws: EventTimeError.self) { try EventTimeParser.milliseconds(from: "soon", unit: .seconds) }
    }
}
