import CRdKafka

/// The librdkafka this process is linked against.
public enum RDKafkaLibrary {
    /// librdkafka's version string, e.g. "2.0.2".
    public static var version: String { String(cString: rd_kafka_version_str()) }

    /// librdkafka's version as a number, 0xMMmmrrxx.
    public static var versionNumber: Int { Int(rd_kafka_version()) }
}
