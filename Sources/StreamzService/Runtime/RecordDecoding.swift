import StreamzKafka

/// How a pipeline turns Kafka records into what its steps read.
enum RecordDecoding {
    /// A record over the source's `max_record_bytes` is refused before anything parses it.
    static func checkSize(_ record: KafkaRecord, limit: Int) throws(StepFailure) {
        if let size = record.value?.count, size > limit {
            throw StepFailure("the value is \(size) bytes, over the source's max_record_bytes (\(limit))")
        }
    }

    /// - Parameter fields: for JSON, the top-level members to build (the rest is
    ///   validated only); nil builds them all.
    static func decode(_ record: KafkaRecord, format: PayloadFormat,
                       fields: JSONProjection? = nil) throws(StepFailure) -> ServiceRecord {
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
                let value: JSONValue
                if let fields {
                    let result = bytes.withUnsafeBytes { buffer in
                        Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(buffer, projecting: fields) }
                    }
                    value = try result.get()
                } else {
                    value = try JSONParser.parse(bytes)
                }
                return ServiceRecord(value: value, source: record)
            } catch {
                throw StepFailure("\(error)")
            }
        }
    }
}
