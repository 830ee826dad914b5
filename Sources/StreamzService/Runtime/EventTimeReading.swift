import Glibc
import Streamz
import StreamzKafka

/// Reads a record's event time from a field (or keeps the Kafka timestamp).
struct EventTimeReading {
    let field: Expression?
    let unit: Streamz.EventTimeUnit
    /// For windowed pipelines: a time this far past the wall clock is a bad record.
    /// One would otherwise drag its partition's watermark ahead and close every open
    /// window early, turning the good records behind it into late ones.
    let maxAheadOfWallClock: Int64?

    func read(_ record: ServiceRecord, kafkaTime: Int64, context: EvaluationContext) throws(StepFailure) -> Int64 {
        try read(record.value, kafkaTime: kafkaTime, context: context)
    }

    /// The same, from the decoded value.
    func read(_ record: JSONValue, kafkaTime: Int64, context: EvaluationContext) throws(StepFailure) -> Int64 {
        let millis: Int64
        if let field {
            let value: JSONValue
            do { value = try field.evaluate(record, context: context) } catch { throw StepFailure("\(error)") }
            do {
                switch value {
                case .int(let number): millis = try EventTimeParser.milliseconds(from: number, unit: Self.numberUnit(unit))
                case .double(let number): millis = try EventTimeParser.milliseconds(from: number, unit: Self.numberUnit(unit))
                case .string(let text): millis = try EventTimeParser.milliseconds(from: text, unit: unit)
                default: throw StepFailure("event time field '\(field.text)' is \(value.typeName), not a time")
                }
            } catch let failure as StepFailure {
                throw failure
            } catch {
                throw StepFailure("\(error)")
            }
        } else {
            guard let time = Self.eventTime(fromKafkaTime: kafkaTime) else { throw StepFailure("the record has no timestamp") }
            millis = time
        }
        if Self.isTooFarAhead(millis, limit: maxAheadOfWallClock), let maxAheadOfWallClock {
            throw StepFailure("event time \(millis) is more than \(maxAheadOfWallClock / 3_600_000) h ahead of the wall clock")
        }
        return millis
    }

    /// `read`'s milliseconds from a field read on the scalar path (see `Scalar`); nil
    /// where `read` fails or would parse text (the record then takes the general path).
    static func milliseconds(fromScalar value: Scalar?, unit: Streamz.EventTimeUnit) -> Int64? {
        let unit = numberUnit(unit)
        switch value {
        case .int(let number)?: return try? EventTimeParser.milliseconds(from: number, unit: unit)
        case .double(let number)?: return try? EventTimeParser.milliseconds(from: number, unit: unit)
        default: return nil
        }
    }

    /// The unit of a number in a field: an ISO-8601 field that holds a number holds
    /// milliseconds.
    private static func numberUnit(_ unit: Streamz.EventTimeUnit) -> Streamz.EventTimeUnit {
        unit == .iso8601 ? .milliseconds : unit
    }

    /// The event time a record without a time field has: its Kafka timestamp, if it has one.
    static func eventTime(fromKafkaTime kafkaTime: Int64) -> Int64? {
        kafkaTime != Annotation.noTime && kafkaTime >= 0 ? kafkaTime : nil
    }

    static func isTooFarAhead(_ millis: Int64, limit maxAheadOfWallClock: Int64?) -> Bool {
        guard let maxAheadOfWallClock else { return false }
        return millis > wallClockMillis() + maxAheadOfWallClock
    }

    static func wallClockMillis() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
