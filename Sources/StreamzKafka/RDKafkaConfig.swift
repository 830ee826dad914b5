import CRdKafka

/// A librdkafka configuration error, with the property that caused it.
public struct KafkaConfigError: Error, CustomStringConvertible, Equatable {
    public let property: String
    public let message: String
    public var description: String { "kafka property '\(property)': \(message)" }
}

/// An error code from librdkafka, with its name and text.
public struct KafkaError: Error, CustomStringConvertible, Equatable {
    public let code: Int32
    public let message: String

    init(_ code: rd_kafka_resp_err_t, _ context: String = "") {
        self.code = code.rawValue
        let text = String(cString: rd_kafka_err2str(code))
        self.message = context.isEmpty ? text : "\(context): \(text)"
    }

    public var name: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: code))) }
    public var description: String { "\(name): \(message)" }
}

/// An owned `rd_kafka_conf_t`. Any librdkafka property passes through unchanged;
/// an unknown name or bad value is a `KafkaConfigError` naming the property.
final class RDKafkaConfig {
    private(set) var pointer: OpaquePointer?

    init(_ properties: [String: String] = [:]) throws {
        pointer = rd_kafka_conf_new()
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            try set(name, value)
        }
    }

    func set(_ name: String, _ value: String) throws {
        guard let pointer else { preconditionFailure("configuration already handed to librdkafka") }
        if let problem = RDKafkaLibrary.problem(setting: name, to: value, on: pointer) {
            throw KafkaConfigError(property: name, message: problem.message)
        }
    }

    /// Gives the configuration to `rd_kafka_new`, which owns it from then on.
    func take() -> OpaquePointer? {
        defer { pointer = nil }
        return pointer
    }

    deinit {
        if let pointer { rd_kafka_conf_destroy(pointer) }
    }
}

/// The text in a NUL-terminated C buffer that librdkafka filled.
func string(fromCBuffer buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
