import Streamz
import StreamzKafka

/// The scalar path: a record that is a JSON object of plain scalar members (numbers,
/// bools, nulls, strings without escapes), run by a program whose expressions are field
/// reads, literals and operators, is read into `RecordSlots.scalars` and run without
/// building a `JSONValue` or a `String`: string fields stay bytes in the record, and
/// the output is written from them. That is most records of most topic-to-topic
/// pipelines.
///
/// It only ever gives what the general path gives. Wherever that would fail (a
/// missing field, a wrong type, an overflow, a bad document) or would have to build
/// something (a string `+`, an escape to decode), it answers `unsure` and the record
/// runs on the general path, which gives the value or the exact error.
extension RecordProgram {
    enum ScalarOutcome {
        /// The message is written: its key in `keyBuffer` when the plan has a key
        /// expression (`hasKey` false for a null key), its value in `valueBuffer` when
        /// the plan writes an object.
        case written(ScalarPlan.Output, hasKey: Bool)
        case dropped
        case unsure
    }

    /// Takes the record's bytes, not the record: the closure over the bytes that calls
    /// this would copy a record it captured, a retain and a release per reference in it.
    func runOnScalars(_ plan: ScalarPlan, _ bytes: UnsafeRawBufferPointer, _ annotation: inout Annotation) -> ScalarOutcome {
        guard plan.slots.readScalars(bytes), let eventTime = plan.eventTime(kafkaTime: annotation.eventTime),
              let passes = plan.passes() else { return .unsure }
        guard passes else {
            annotation.eventTime = eventTime
            return .dropped
        }
        // Written in locals, swapped out of the program and back: no property access
        // (and exclusivity check) per write.
        var key: [UInt8] = []
        var value: [UInt8] = []
        swap(&key, &keyBuffer)
        swap(&value, &valueBuffer)
        defer {
            swap(&key, &keyBuffer)
            swap(&value, &valueBuffer)
        }
        key.removeAll(keepingCapacity: true)
        var hasKey = true
        if plan.writesObject {
            guard plan.writeObject(replacing: &value, keyBytes: &key, hasKey: &hasKey) else { return .unsure }
        } else {
            guard plan.writeKey(into: &key, hasKey: &hasKey) else { return .unsure }
        }
        annotation.eventTime = eventTime
        return .written(plan.output, hasKey: hasKey)
    }

    /// The message `runOnScalars` wrote for `record`.
    func scalarMessage(_ output: ScalarPlan.Output, hasKey: Bool, _ record: KafkaRecord, eventTime: Int64) -> KafkaOutgoing {
        KafkaOutgoing(key: output.hasKeyExpression ? (hasKey ? keyBuffer : nil) : record.key,
                      value: output.writesObject ? valueBuffer : record.value,
                      headers: headers(of: record),
                      timestamp: eventTime == Annotation.noTime ? nil : eventTime)
    }
}
