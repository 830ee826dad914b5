import CRdKafka
import Testing
@testable import StreamzKafka

/// The system library links and answers, before any Kafka feature exists.
extension KafkaIntegration {
@Suite struct LibrdkafkaLinkTests {
    @Test func reportsItsVersion() {
        #expect(RDKafkaLibrary.versionNumber >= 0x0108_0000, "librdkafka 1.8 or newer")
        #expect(RDKafkaLibrary.version.split(separator: ".").count >= 3)
    }

    @Test func startsAMockClusterOnLoopback() throws {
        let conf = rd_kafka_conf_new()
        var errorText = [CChar](repeating: 0, count: 512)
        #expect(rd_kafka_conf_set(conf, "client.id", "link-test", &errorText, errorText.count) == RD_KAFKA_CONF_OK)
        let handle = try #require(rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errorText, errorText.count))
        defer { rd_kafka_destroy(handle) }
        let cluster = try #require(rd_kafka_mock_cluster_new(handle, 1))
        defer { rd_kafka_mock_cluster_destroy(cluster) }
        let bootstrap = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        #expect(bootstrap.hasPrefix("127.0.0.1:"))
    }
}
}
