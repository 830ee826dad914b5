import CRdKafka

extension RDKafkaLibrary {
    /// Why librdkafka refuses a property.
    public enum PropertyProblem: Equatable, Sendable {
        /// No property has this name in the linked librdkafka.
        case unknownName(String)
        /// The name is known; the value is not valid for it.
        case invalidValue(String)
    }

    /// librdkafka's own check of one property, on a configuration that is thrown away:
    /// no client is created and nothing connects. It lets `streamz validate` refuse a
    /// misspelt name or a bad value, which otherwise only `streamz run` would find.
    /// Producer and consumer properties are both accepted, as on a client's
    /// configuration; nil when librdkafka takes it.
    public static func problem(setting name: String, to value: String) -> PropertyProblem? {
        let conf = rd_kafka_conf_new()
        defer { rd_kafka_conf_destroy(conf) }
        return problem(setting: name, to: value, on: conf)
    }

    /// Sets `name` on `conf`; nil when librdkafka took it. `RDKafkaConfig` sets every
    /// client property through this too.
    static func problem(setting name: String, to value: String, on conf: OpaquePointer?) -> PropertyProblem? {
        var errorText = [CChar](repeating: 0, count: 512)
        switch rd_kafka_conf_set(conf, name, value, &errorText, errorText.count) {
        case RD_KAFKA_CONF_OK: return nil
        case RD_KAFKA_CONF_UNKNOWN: return .unknownName(string(fromCBuffer: errorText))
        default: return .invalidValue(string(fromCBuffer: errorText))
        }
    }
}

extension RDKafkaLibrary.PropertyProblem {
    /// librdkafka's text for it.
    public var message: String {
        switch self {
        case .unknownName(let message), .invalidValue(let message): message
        }
    }
}
