import Streamz
import StreamzKafka

/// A topic-to-topic pipeline's per-record work in one call: decode, event time, the
/// filter and map steps, and the Kafka message. The same work, in the same order and
/// with the same dead-letter reasons ("decode: …", "filter: …", "map: user: …"), as
/// the chain of one `RecordStep` per stage it replaces, minus what the chain cost on
/// every record: a node hop per stage (closure call, annotation and record copies,
/// each a handful of retains and releases), a JSON tree for the record (a JSON object
/// is parsed into the reused slots of `RecordSlots`, only the members expressions
/// read, and the expressions reading it are compiled to read slots by index), an
/// object for the last `map` that is only written out (its members go straight into
/// the output buffer, a copied field as its input text when that is already what
/// would be written), and fresh key and value arrays for each message (they are
/// written into buffers reused across records). A program of field reads, literals and
/// operators runs plain records on scalars, with no JSON value built at all (see
/// `RecordProgram+Scalars.swift`).
///
/// Lives on the pipeline's loop, like the graph.
final class RecordProgram {
    private let format: PayloadFormat
    private let forwardsHeaders: Bool
    private let maxRecordBytes: Int
    private let fields: JSONProjection
    private let context: EvaluationContext
    /// The stages as configured, over a parsed document: for every format, and for
    /// JSON records that are not objects.
    private let general: Stages
    /// For JSON objects: the same stages, with every read of the source record
    /// compiled into a read of its `slots`, which each record is parsed into.
    private let slotted: Stages?
    /// `slotted` for the scalar path (see `runOnScalars`), when every expression in it
    /// can run there.
    private let scalarPlan: ScalarPlan?
    /// The same, unretained (`scalarPlan` keeps it alive): reading the optional plan, its
    /// slots and the stages into locals cost a retain and a release each per record.
    private let unretainedScalarPlan: Unmanaged<ScalarPlan>?
    /// How many records the scalar path has run (the rest took the general path).
    @exclusivity(unchecked) private(set) var recordsOnScalars = 0
    /// Reused for each message's key and value. `KafkaSink` copies them into
    /// librdkafka at once; if it has to keep a message (a full producer queue), it
    /// holds a reference, and the next write here copies first (arrays are
    /// copy-on-write), so a kept message never changes.
    @exclusivity(unchecked) var keyBuffer: [UInt8] = []
    @exclusivity(unchecked) var valueBuffer: [UInt8] = []

    /// A class: a struct of arrays would be copied, with a retain per array, on
    /// every record.
    final class Stages {
        let eventTime: EventTimeReading?
        /// The steps before `output`, as configured.
        let steps: [PipelinePlan.Step]
        let key: Expression?
        /// When the last step is a map whose object nothing but the sink reads (the
        /// key is absent, or one of its fields): written member by member, never built.
        let output: DirectMap?
        /// What the expressions read the source record from, when compiled for slots.
        let slots: RecordSlots?

        init(eventTime: EventTimeReading?, steps: [PipelinePlan.Step], key: Expression?, output: DirectMap?,
             slots: RecordSlots? = nil) {
            self.eventTime = eventTime
            self.steps = steps
            self.key = key
            self.output = output
            self.slots = slots
        }
    }

    /// The last map, compiled for writing: each member's `"name":` prefix as bytes.
    struct DirectMap {
        var fields: [(prefix: [UInt8], name: String, value: Expression)]
        /// Which field is the message key, if the key expression is one of them.
        var keyField: Int?
        /// Per field, when compiled against slots and the field copies one top-level
        /// field of the record: that slot, whose text is copied when it is verbatim.
        var copiedSlots: [Int?]
    }

    /// `compilesFieldReads: false` keeps every record on the general path (for tests
    /// that compare the two).
    init(plan: PipelinePlan, key: Expression?, headers: HeaderPolicy, eventTime: EventTimeReading?,
         context: EvaluationContext, compilesFieldReads: Bool = true) {
        format = plan.config.source.format
        forwardsHeaders = headers == .forward
        maxRecordBytes = plan.config.source.maxRecordBytes
        fields = plan.decodedFields
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
                }, keyField: keyField, copiedSlots: Array(repeating: nil, count: mapFields.count))
                steps.removeLast()
            }
        }
        general = Stages(eventTime: eventTime, steps: steps, key: key, output: output)
        if format == .json && compilesFieldReads {
            slotted = Self.compile(general, RecordSlots(fields))
        } else {
            slotted = nil
        }
        scalarPlan = slotted.flatMap(ScalarPlan.init)
        unretainedScalarPlan = scalarPlan.map(Unmanaged.passUnretained)
        keyBuffer.reserveCapacity(64)
        valueBuffer.reserveCapacity(256)
    }

    /// `stages` with the expressions that read the source record (the event time,
    /// the steps up to the first map, and the key or the output when no map comes
    /// before them) reading `slots` instead.
    private static func compile(_ stages: Stages, _ slots: RecordSlots) -> Stages {
        let eventTime = stages.eventTime.map {
            EventTimeReading(field: $0.field.map(slots.compile), unit: $0.unit, maxAheadOfWallClock: $0.maxAheadOfWallClock)
        }
        var mapped = false
        let steps: [PipelinePlan.Step] = stages.steps.map { step in
            guard !mapped else { return step }
            switch step {
            case .filter(let expression):
                return .filter(slots.compile(expression))
            case .map(let fields):
                mapped = true
                return .map(fields.map { ($0.name, slots.compile($0.value)) })
            }
        }
        guard !mapped else {
            return Stages(eventTime: eventTime, steps: steps, key: stages.key, output: stages.output, slots: slots)
        }
        var output = stages.output
        if let fields = stages.output?.fields.map({ ($0.prefix, $0.name, slots.compile($0.value)) }) {
            output?.fields = fields
            output?.copiedSlots = fields.map { slots.slot(readBy: $0.2) }
        }
        let key = output == nil ? stages.key.map(slots.compile) : stages.key
        return Stages(eventTime: eventTime, steps: steps, key: key, output: output, slots: slots)
    }

    /// The message for `record` (with its headers unless the sink drops them), nil
    /// when a filter dropped it; a failure names its stage. Sets the annotation's event
    /// time as the `event_time` stage does.
    func run(_ record: KafkaRecord, _ annotation: inout Annotation) throws(StepFailure) -> KafkaOutgoing? {
        do { try RecordDecoding.checkSize(record, limit: maxRecordBytes) } catch { throw StepFailure("decode: \(error.reason)") }
        if let unretainedScalarPlan, let value = record.value {
            let outcome = unretainedScalarPlan._withUnsafeGuaranteedRef { plan in
                value.withUnsafeBytes { runOnScalars(plan, $0, &annotation) }
            }
            switch outcome {
            case .written(let output, let hasKey):
                recordsOnScalars &+= 1
                return scalarMessage(output, hasKey: hasKey, record, eventTime: annotation.eventTime)
            case .dropped:
                recordsOnScalars &+= 1
                return nil
            case .unsure: break
            }
        }
        guard let slotted, let slots = slotted.slots else { return try run(general, on: try decode(record), record, &annotation) }
        let bytes = try value(of: record)
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) -> JSONValue? in try slots.parse(buffer) }
        }
        switch result {
        case .success(nil): return try run(slotted, on: .null, record, &annotation)
        case .success(let document?): return try run(general, on: document, record, &annotation)  // not an object
        case .failure(let error): throw StepFailure("decode: \(error)")
        }
    }

    private func run(_ stages: Stages, on decoded: JSONValue, _ record: KafkaRecord,
                     _ annotation: inout Annotation) throws(StepFailure) -> KafkaOutgoing? {
        var value = decoded
        if let eventTime = stages.eventTime {
            do {
                annotation.eventTime = try eventTime.read(value, kafkaTime: annotation.eventTime, context: context)
            } catch {
                throw StepFailure("event_time: \(error.reason)")
            }
        }
        var isOriginal = true
        for step in stages.steps {
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
        if let output = stages.output {
            return try write(output, from: value, slots: stages.slots, record: record, timestamp: timestamp)
        }
        return try message(record, value, key: stages.key, isOriginal: isOriginal, timestamp: timestamp)
    }

    /// The record as a document, for the general path (its size already checked).
    private func decode(_ record: KafkaRecord) throws(StepFailure) -> JSONValue {
        if format == .bytes { return .null }  // nothing reads it: no record to build
        guard format == .json else {
            do { return try RecordDecoding.decode(record, format: format).value } catch {
                throw StepFailure("decode: \(error.reason)")
            }
        }
        let bytes = try value(of: record)
        let fields = self.fields
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(buffer, projecting: fields) }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw StepFailure("decode: \(error)")
        }
    }

    private func value(of record: KafkaRecord) throws(StepFailure) -> [UInt8] {
        guard let bytes = record.value else { throw StepFailure("decode: the record has no value") }
        return bytes
    }

    /// The last map, written as it is evaluated: the object it would have built, in
    /// compact JSON, and its key field's value as the key.
    private func write(_ output: DirectMap, from value: JSONValue, slots: RecordSlots?, record: KafkaRecord,
                       timestamp: Int64?) throws(StepFailure) -> KafkaOutgoing {
        valueBuffer.removeAll(keepingCapacity: true)
        valueBuffer.append(UInt8(ascii: "{"))
        var keyBytes = record.key
        for index in output.fields.indices {
            let field = output.fields[index]
            valueBuffer.append(contentsOf: field.prefix)
            if index != output.keyField, let slot = output.copiedSlots[index],
               let text = slots?.verbatim[slot], let bytes = record.value {
                valueBuffer.append(contentsOf: bytes[text])
                continue
            }
            let member: JSONValue
            do { member = try field.value.evaluate(value, context: context) } catch {
                throw StepFailure("map: \(field.name): \(error)")
            }
            member.write(into: &valueBuffer)
            if index == output.keyField {
                keyBuffer.removeAll(keepingCapacity: true)
                keyBytes = OutputEncoding.append(member, to: &keyBuffer) ? keyBuffer : nil
            }
        }
        valueBuffer.append(UInt8(ascii: "}"))
        return KafkaOutgoing(key: keyBytes, value: valueBuffer, headers: headers(of: record), timestamp: timestamp)
    }

    /// As `OutputEncoding.message`, into the reused buffers.
    private func message(_ record: KafkaRecord, _ value: JSONValue, key: Expression?, isOriginal: Bool,
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
        return KafkaOutgoing(key: keyBytes, value: payload, headers: headers(of: record), timestamp: timestamp)
    }

    /// Reading them parses them (see `KafkaRecord.headers`): not when the sink drops them.
    func headers(of record: KafkaRecord) -> [KafkaHeader] { forwardsHeaders ? record.headers : [] }
}
