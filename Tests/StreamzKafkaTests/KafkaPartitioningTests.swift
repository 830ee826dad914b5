import Testing
@testable import StreamzKafka

/// Kafka's Java client partitions a keyed record at `toPositive(murmur2(key)) % count`
/// (`org.apache.kafka.common.utils.Utils`). Written here from that definition, not
/// from librdkafka, so that the sink's partitions are checked against the Java rule.
enum JavaPartitioner {
    static func murmur2(_ data: [UInt8]) -> Int32 {
        let m: UInt32 = 0x5bd1_e995
        var h: UInt32 = 0x9747_b28c ^ UInt32(data.count)
        let whole = data.count / 4 * 4
        for i in stride(from: 0, to: whole, by: 4) {
            var k = UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24
            k = k &* m
            k ^= k >> 24
            k = k &* m
            h = h &* m
            h ^= k
        }
        let rest = data.count % 4
        if rest >= 3 { h ^= UInt32(data[whole + 2]) << 16 }
        if rest >= 2 { h ^= UInt32(data[whole + 1]) << 8 }
        if rest >= 1 {
            h ^= UInt32(data[whole])
            h = h &* m
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    static func partition(of key: [UInt8], count: Int) -> Int32 {
        Int32(Int(murmur2(key) & 0x7fff_ffff) % count)
    }
}

@Suite struct JavaPartitionerTests {
    /// The vectors of Kafka's `UtilsTest.testMurmur2`.
    @Test func murmur2MatchesKafkasVectors() {
        let vectors: [(String, Int32)] = [
            ("21", -973_932_308), ("foobar", -790_332_482), ("a-little-bit-long-string", -985_981_536),
            ("a-little-bit-longer-string", -1_486_304_829),
            ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971), ("abc", 479_470_107),
        ]
        for (text, expected) in vectors {
            #expect(JavaPartitioner.murmur2(Array(text.utf8)) == expected, "murmur2(\(text))")
        }
        #expect(JavaPartitioner.partition(of: Array("foobar".utf8), count: 50) == 16)
    }
}

extension KafkaIntegration {
@Suite struct KafkaPartitioningTests {
    /// Co-partitioning with Java clients (Kafka Streams, ksqlDB) needs the same key on
    /// the same partition whoever wrote it: the sink uses murmur2 unless configured.
    @Test func theSinkPlacesKeysWhereJavaClientsDo() async throws {
        let broker = try EmbeddedKafka(topics: [("in", 2), ("out", 8)])
        defer { broker.shutdown() }
        let messages = (0..<400).map { (key: "user-\($0 % 97)", value: "click \($0)") }
        try produce(messages, to: "in", bootstrap: broker.bootstrapServers)

        let pipeline = try Pipeline(bootstrap: broker.bootstrapServers, group: "partitioning", from: "in", to: "out")
        try await waitUntil("the pipeline to deliver 400 records") {
            await pipeline.loop.perform { pipeline.sink.delivered } == 400
        }
        await pipeline.stop()
        let collector = try Collector(bootstrap: broker.bootstrapServers, topic: "out")
        try await waitUntil("the output") { collector.values.count >= 400 }
        await collector.stop()

        let records = collector.values
        #expect(records.count == 400)
        let misplaced = records.filter { record in
            guard let key = record.key else { return true }
            return record.partition != JavaPartitioner.partition(of: key, count: 8)
        }
        let examples = misplaced.prefix(3).map { "\($0.keyString ?? "nil") on \($0.partition)" }
        #expect(misplaced.count == 0, "records off their Java partition, e.g. \(examples)")
        #expect(Set(records.map(\.partition)).count == 8, "97 keys spread over all 8 partitions")
    }
}
}
