import StreamzKafka

/// How a pipeline turns Kafka records into what its steps read.
enum RecordDecoding {
    static func decode(_ record: KafkaRecord, format: PayloadFormat) throws(StepFailure) -> ServiceRecord {
        switch format {
        case .bytes:
            return ServiceRecord(value: .null, source: record)
        case .text:
            guard let bytes = record.value else { throw StepFailure("the record has no value") }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw StepFailure("the value is not valid UTF-8")
            }
            return ServiceRecord(value: .object(JSONObject([("value", .string(text))])), source: record)
        case .json:
            guard let bytes = record.value else { throw StepFailure("the record has no value") }
            do {
                let value = try JSONParser.parse(bytes)
                return ServiceRecord(value: value, source: record)
            } catch {
                throw StepFailure("\(error)")
            }
        }
    }
}
