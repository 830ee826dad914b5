import StreamzPostgres

/// Computes a record's window key and aggregate inputs, ahead of the window: a key
/// or a value that cannot be computed sends the record to the dead letters with the
/// reason, instead of into a wrong row.
enum WindowInputs {
    static func keyed(_ record: ServiceRecord, window: PipelinePlan.Window,
                      context: EvaluationContext) throws(StepFailure) -> KeyedRecord {
        var key: [String] = []
        key.reserveCapacity(window.keys.count)
        for expression in window.keys {
            let value: JSONValue
            do { value = try expression.evaluate(record.value, context: context) } catch {
                throw StepFailure("key \(expression.text): \(error)")
            }
            key.append(text(of: value))
        }
        var values = ColumnAggregation.Input()
        for (index, expression) in window.inputs.enumerated() {
            let value: JSONValue
            do { value = try expression.evaluate(record.value, context: context) } catch {
                throw StepFailure("\(expression.text): \(error)")
            }
            switch value {
            case .int(let number): values[index] = Double(number)
            case .double(let number) where number.isFinite: values[index] = number
            default: throw StepFailure("\(expression.text) is \(value.typeName), not a finite number")
            }
        }
        return KeyedRecord(key: key, values: values, source: record.source)
    }

    /// A key column's text: strings as themselves, anything else as JSON.
    static func text(of value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.jsonText
    }
}
