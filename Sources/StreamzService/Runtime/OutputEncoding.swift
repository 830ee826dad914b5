import Streamz
import StreamzKafka
import StreamzPostgres

/// How records and window rows become Kafka messages.
enum OutputEncoding {
    /// A record for a Kafka sink: the key expression's value (or the input key), the
    /// original payload while no `map` has rebuilt it, else its JSON text, and the
    /// input's headers unless the sink drops them.
    static func message(_ record: ServiceRecord, key: Expression?, headers: HeaderPolicy, eventTime: Int64,
                        context: EvaluationContext) throws(StepFailure) -> KafkaOutgoing {
        var keyBytes = record.source.key
        if let key {
            let value: JSONValue
            do { value = try key.evaluate(record.value, context: context) } catch { throw StepFailure("key: \(error)") }
            keyBytes = bytes(of: value)
        }
        let payload: [UInt8]?
        if record.isOriginal {
            payload = record.source.value
        } else {
            var buffer: [UInt8] = []
            buffer.reserveCapacity(128)
            record.value.write(into: &buffer)
            payload = buffer
        }
        return KafkaOutgoing(key: keyBytes, value: payload, headers: headers == .forward ? record.source.headers : [],
                             timestamp: eventTime == Annotation.noTime ? nil : eventTime)
    }

    /// Key bytes: a string as itself, null as no key, anything else as JSON text.
    static func bytes(of value: JSONValue) -> [UInt8]? {
        switch value {
        case .null: return nil
        case .string(let text): return Array(text.utf8)
        default:
            var buffer: [UInt8] = []
            value.write(into: &buffer)
            return buffer
        }
    }

    /// Appends the key bytes of `value` (as `bytes(of:)`) to `buffer`; false for null,
    /// which is no key.
    static func append(_ value: JSONValue, to buffer: inout [UInt8]) -> Bool {
        switch value {
        case .null: return false
        case .string(let text):
            var text = text
            text.withUTF8 { buffer.append(contentsOf: $0) }
            return true
        default:
            value.write(into: &buffer)
            return true
        }
    }

    /// A window row for a Kafka sink: key `v1|v2`, value
    /// `{"page":…,"window_start":ms,"window_end":ms,"views":…}`.
    static func message(_ row: WindowRow, table: WindowTable) -> KafkaOutgoing {
        var object = JSONObject()
        for (column, value) in zip(table.keyColumns, row.key) { object.set(column, .string(value)) }
        object.set("window_start", .int(row.window.start))
        object.set("window_end", .int(row.window.end))
        for column in table.aggregates {
            let value = row.value(of: column)
            if column.function == .count, let count = Int64(exactly: value) {
                object.set(column.name, .int(count))
            } else if let whole = Int64(exactly: value), column.function != .avg {
                object.set(column.name, .int(whole))
            } else {
                object.set(column.name, value.isFinite ? .double(value) : .null)
            }
        }
        var buffer: [UInt8] = []
        JSONValue.object(object).write(into: &buffer)
        return KafkaOutgoing(key: Array(row.key.joined(separator: "|").utf8), value: buffer,
                             timestamp: row.window.end - 1)
    }
}
