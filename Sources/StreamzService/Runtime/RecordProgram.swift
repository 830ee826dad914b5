import Streamz
import StreamzKafka

/// A topic-to-topic pipeline's per-record work in one call: decode, event time, the
/// filter and map steps, and the Kafka message. The same work, in the same order and
/// with the same dead-letter reasons ("decode: …", "filter: …", "map: user: …"), as
/// the chain of one `RecordStep` per stage it replaces, minus what the chain cost on
/// every record: a node hop per stage (closure call, annotation and record copies,
/// each a handful of retains and releases), a JSON tree of members nothing reads
/// (the parse builds only `plan.decodedFields`), an object for the last `map` that
/// is only written out (its members go straight into the output buffer), and fresh
/// key and value arrays for each message (they are written into buffers reused
/// across records).
///
/// Lives on the pipeline's loop, like the graph.
final class RecordProgram {
    private let format: PayloadFormat
    private let maxRecordBytes: Int
    private let fields: JSONProjection
    private let eventTime: EventTimeReading?
    /// The steps before `output`, as configured.
    private let steps: [PipelinePlan.Step]
    private let key: Expression?
    private let context: EvaluationContext
    /// When the last step is a map whose object nothing but the sink reads (the key
    /// is absent, or one of its fields): written member by member, never built.
    private let output: DirectMap?
    /// Reused for each message's key and value. `KafkaSink` copies them into
    /// librdkafka at once; if it has to keep a message (a full producer queue), it
    /// holds a reference, and the next write here copies first (arrays are
    /// copy-on-write), so a kept message never changes.
    @exclusivity(unchecked) private var keyBuffer: [UInt8] = []
    @exclusivity(unchecked) private var valueBuffer: [UInt8] = []

    /// The last map, compiled for writing: each member's `"name":` prefix as bytes.
    struct DirectMap {
        var fields: [(prefix: [UInt8], name: String, value: Expression)]
        /// Which field is the message key, if the key expression is one of them.
        var keyField: Int?
    }

    init(plan: PipelinePlan, key: Expression?, eventTime: EventTimeReading?, context: EvaluationContext) {
        format = plan.config.source.format
        maxRecordBytes = plan.config.source.maxRecordBytes
        fields = plan.decodedFields
        self.eventTime = eventTime
        self.key = key
        self.context = context
        var steps = plan.steps
        var output: DirectMap?
        if case .map(let mapFields)? = steps.last, Set(mapFields.map(\.name)).count == mapFields.count {
            let keyField = key.flatMap { key in key.topLevelField.flatMap { name in mapFields.firstIndex { $0.name == name } } }
            if key == nil || keyField != nil {
                output = DirectMap(fields: mapFields.enumerated().map { index, field in
                    var prefix: [UInt8] = index == 0 ? [] : [UInt8(ascii: ",")]
                    JSONValue.string(field.name).write(into: &prefix)
                    prefix.append(UInt8(ascii: ":"))
                    return (prefix, field.name, field.value)
                }, keyField: keyField)
                steps.removeLast()
            }
        }
        self.steps = steps
        self.output = output
        keyBuffer.reserveCapacity(64)
        valueBuffer.reserveCapacity(256)
    }

    /// The message for `record`, nil when a filter dropped it; a failure names its
    /// stage. Sets the annotation's event time as the `event_time` stage does.
    func run(_ record: KafkaRecord, _ annotation: inout Annotation) throws(StepFailure) -> KafkaOutgoing? {
        var value = try decode(record)
        if let eventTime {
            do {
                annotation.eventTime = try eventTime.read(value, kafkaTime: annotation.eventTime, context: context)
            } catch {
                throw StepFailure("event_time: \(error.reason)")
            }
        }
        var isOriginal = true
        for step in steps {
            switch step {
            case .filter(let expression):
                let keep: JSONValue
                do { keep = try expression.evaluate(value, context: context) } catch { throw StepFailure("filter: \(error)") }
                guard case .bool(let pass) = keep else {
                    throw StepFailure("filter: '\(expression.text)' gave \(keep.typeName), not a boolean")
                }
                if !pass { return nil }
            case .map(let fields):
                var object = JSONObject(minimumCapacity: fields.count)
                for field in fields {
                    do {
                        object.set(field.name, try field.value.evaluate(value, context: context))
                    } catch {
                        throw StepFailure("map: \(field.name): \(error)")
                    }
                }
                value = .object(object)
                isOriginal = false
            }
        }
        let timestamp = annotation.eventTime == Annotation.noTime ? nil : annotation.eventTime
        if let output { return try write(output, from: value, record: record, timestamp: timestamp) }
        return try message(record, value, isOriginal: isOriginal, timestamp: timestamp)
    }

    private func decode(_ record: KafkaRecord) throws(StepFailure) -> JSONValue {
        do { try RecordDecoding.checkSize(record, limit: maxRecordBytes) } catch { throw StepFailure("decode: \(error.reason)") }
        guard format == .json else {
            do { return try RecordDecoding.decode(record, format: format).value } catch {
                throw StepFailure("decode: \(error.reason)")
            }
        }
        guard let bytes = record.value else { throw StepFailure("decode: the record has no value") }
        let fields = self.fields
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(buffer, projecting: fields) }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw StepFailure("decode: \(error)")
        }
    }

    /// The last map, written as it is evaluated: the object it would have built, in
    /// compact JSON, and its key field's value as the key.
    private func write(_ output: DirectMap, from value: JSONValue, record: KafkaRecord,
                       timestamp: Int64?) throws(StepFailure) -> KafkaOutgoing {
        valueBuffer.removeAll(keepingCapacity: true)
        valueBuffer.append(UInt8(ascii: "{"))
        var keyBytes = record.key
        for index in output.fields.indices {
            let field = output.fields[index]
            let member: JSONValue
            do { member = try field.value.evaluate(value, context: context) } catch {
                throw StepFailure("map: \(field.name): \(error)")
            }
            valueBuffer.append(contentsOf: field.prefix)
            member.write(into: &valueBuffer)
            if index == output.keyField {
                keyBuffer.removeAll(keepingCapacity: true)
                keyBytes = OutputEncoding.append(member, to: &keyBuffer) ? keyBuffer : nil
            }
        }
        valueBuffer.append(UInt8(ascii: "}"))
        return KafkaOutgoing(key: keyBytes, value: valueBuffer, timestamp: timestamp)
    }

    /// As `OutputEncoding.message`, into the reused buffers.
    private func message(_ record: KafkaRecord, _ value: JSONValue, isOriginal: Bool,
                         timestamp: Int64?) throws(StepFailure) -> KafkaOutgoing {
        var keyBytes = record.key
        if let key {
            let keyValue: JSONValue
            do { keyValue = try key.evaluate(value, context: context) } catch { throw StepFailure("sink key: key: \(error)") }
            keyBuffer.removeAll(keepingCapacity: true)
            keyBytes = OutputEncoding.append(keyValue, to: &keyBuffer) ? keyBuffer : nil
        }
        let payload: [UInt8]?
        if isOriginal {
            payload = record.value
        } else {
            valueBuffer.removeAll(keepingCapacity: true)
            value.write(into: &valueBuffer)
            payload = valueBuffer
        }
        return KafkaOutgoing(key: keyBytes, value: payload, timestamp: timestamp)
    }
}
