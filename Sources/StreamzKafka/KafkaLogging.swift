import CRdKafka
import Logging

/// Routes librdkafka's log lines and global errors to swift-log. Unknown levels and
/// error codes are logged, never fatal.
enum RDKafkaLogging {
    static let logger = Logger(label: "streamz.librdkafka")

    static func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_log_cb(conf) { _, level, facility, message in
            let text = "\(facility.map { String(cString: $0) } ?? "?"): \(message.map { String(cString: $0) } ?? "")"
            RDKafkaLogging.logger.log(level: RDKafkaLogging.level(syslog: level), "\(text)")
        }
        rd_kafka_conf_set_error_cb(conf) { _, code, reason, _ in
            let error = KafkaError(rd_kafka_resp_err_t(rawValue: code), reason.map { String(cString: $0) } ?? "")
            RDKafkaLogging.logger.warning("librdkafka error: \(error)")
        }
    }

    /// librdkafka logs with syslog levels (0 emergency … 7 debug).
    static func level(syslog: Int32) -> Logger.Level {
        switch syslog {
        case ...2: return .critical
        case 3: return .error
        case 4: return .warning
        case 5, 6: return .info
        default: return .debug
        }
    }
}
