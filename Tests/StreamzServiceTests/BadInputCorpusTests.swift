import Foundation
import StreamzKafka
import StreamzService
import Testing

/// Hostile and broken payloads, interleaved with good clicks, through `streamz run`
/// on the example config: each bad one reaches the dead-letter topic from every
/// pipeline that cannot process it, with a reason; the good ones around them are all
/// processed; the service stays up and stops cleanly.
@Suite("streamz run, bad input", .serialized, .timeLimit(.minutes(5)))
struct BadInputCorpusTests {
    /// A payload, and the pipelines that must dead-letter it.
    struct Bad {
        var name: String
        var bytes: [UInt8]?
        var pipelines: Set<String>
    }

    static let both: Set<String> = ["enrich", "page_views"]
    static let now = Int64(Date().timeIntervalSince1970 * 1000)

    static func click(value: String = "42", page: String = "\"/home\"", ts: String = "1700000000000",
                      user: String = "\"u1\"") -> String {
        #"{"user":\#(user),"page":\#(page),"value":\#(value),"ts":\#(ts)}"#
    }

    static var corpus: [Bad] {
        var bad: [Bad] = []
        func add(_ name: String, _ text: String, _ pipelines: Set<String> = both) {
            bad.append(Bad(name: name, bytes: Array(text.utf8), pipelines: pipelines))
        }
        func addBytes(_ name: String, _ bytes: [UInt8], _ pipelines: Set<String> = both) {
            bad.append(Bad(name: name, bytes: bytes, pipelines: pipelines))
        }
        // Invalid UTF-8 inside an otherwise good click.
        for (name, sequence) in [("0xFF", [0xFF]), ("overlong slash", [0xC0, 0xAF]), ("surrogate", [0xED, 0xA0, 0x80]),
                                 ("truncated euro", [0xE2, 0x82]), ("above U+10FFFF", [0xF5, 0x80, 0x80, 0x80]),
                                 ("lone continuation", [0x80]), ("overlong NUL", [0xC0, 0x80])] as [(String, [UInt8])] {
            addBytes("invalid UTF-8: \(name)", Array(#"{"user":"u1","page":""#.utf8) + sequence + Array(#"","value":42,"ts":1700000000000}"#.utf8))
        }
        // Truncated and malformed JSON.
        for text in ["{", "{\"user\":", #"{"user":"u1","page":"/""#, "[", "\"abc", #"{"user":"u1",}"#, "{'user':'u1'}",
                     "", " ", "nul", "tru", "01", "{\"a\":1}}", #"{"user":"u1" "page":"/"}"#, "\u{0}", "{\"a\":-}", "1.", ".5"] {
            add("malformed JSON: \(text.debugDescription)", text)
        }
        add("nesting 10,000 arrays", String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))
        add("nesting 10,000 objects", String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000))
        // NaN, infinities and numbers no double holds are not JSON.
        for value in ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"] { add("number \(value)", click(value: value)) }
        // Wrong types: the filter and the sum both need a number.
        for value in ["\"abc\"", "true", "null", "[1]", "{\"n\":1}", "\"42\""] { add("value \(value)", click(value: value)) }
        // Missing fields, and records that are not objects.
        add("no value field", #"{"user":"u1","page":"/home","ts":1700000000000}"#)
        add("no ts field", #"{"user":"u1","page":"/home","value":42}"#)
        add("no page field", #"{"user":"u1","value":42,"ts":1700000000000}"#)
        for text in ["42", "\"text\"", "[1,2]", "null", "true"] { add("not an object: \(text)", text) }
        // Event times that are not times, or out of any range.
        for ts in ["\"abc\"", "-100000000000000000", "1e300", "true", "\"2023-13-45T99:00:00Z\""] {
            add("ts \(ts)", click(ts: ts))
        }
        add("ts far in the future", click(ts: String(now + 400 * 24 * 3_600_000)), ["page_views"])
        add("ts far in the past (late)", click(ts: "1000"), ["page_views"])
        // Keys PostgreSQL text cannot hold.
        add("NUL in the window key", click(page: #""nul\u0000byte""#), ["page_views"])
        add("window key over 2,000 bytes", click(page: "\"" + String(repeating: "k", count: 3_000) + "\""), ["page_views"])
        // A 5 MB click, over the source's 1 MiB max_record_bytes: refused unparsed.
        let click = click()
        add("a 5 MB message", String(click.dropLast()) + #","pad":""# + String(repeating: "x", count: 5_000_000 - click.count - 9) + "\"}")
        // No value at all (a tombstone).
        bad.append(Bad(name: "null value", bytes: nil, pipelines: both))
        return bad
    }

    /// Good clicks, hostile strings among them: they must land as data.
    static var good: [String] {
        let pages = ["/home", "x'); DROP TABLE page_views_per_minute; --", "\\\"quoted\\\"", "ünïcödé 🎉", "$1", "' OR 1=1 --"]
        return (0..<300).map { index in
            click(value: String(11 + index % 80), page: "\"\(pages[index % pages.count])\"",
                  ts: String(1_700_000_000_000 + Int64(index) * 100))
        }
    }

    @Test func everyBadPayloadIsADeadLetterAndTheGoodOnesFlow() async throws {
        let corpus = Self.corpus
        #expect(corpus.count >= 50)
        #expect(corpus.contains { $0.bytes?.count == 5_000_000 })
        guard let fixture = try await ServiceFixture.make() else { return }
        defer { fixture.tearDown() }
        let (broker, port) = (fixture.broker, fixture.port)
        let service = try fixture.run()

        let good = Self.good
        try await BlockingCall.run {
            let writer = try KafkaTopicWriter(bootstrapServers: broker.bootstrapServers, properties: ["message.max.bytes": "10000000"])
            defer { writer.close() }
            for (index, payload) in good.enumerated() {
                try writer.send(topic: "clicks", key: Array("k\(index)".utf8), value: Array(payload.utf8))
                if index < corpus.count {
                    try writer.send(topic: "clicks", key: Array("bad\(index)".utf8), value: corpus[index].bytes)
                }
            }
            try writer.flush()
        }
        let expectedLetters = corpus.reduce(0) { $0 + $1.pipelines.count }
        try await waitUntil("the dead letters and the enriched records", timeout: .seconds(90)) {
            guard service.process.isRunning else { throw TestSetupError("streamz exited: \(service.output.suffix(2_000))") }
            let letters = try await BlockingCall.run { try KafkaTopicReader.count(bootstrapServers: broker.bootstrapServers, topic: "clicks-dlq") }
            let enriched = try await BlockingCall.run { try KafkaTopicReader.count(bootstrapServers: broker.bootstrapServers, topic: "clicks-enriched") }
            return letters >= Int64(expectedLetters) && enriched >= Int64(good.count)
        }
        #expect((try? httpGet(port: port, path: "/healthz").status) == 200)
        service.terminate()
        #expect(await service.waitForExit(timeout: .seconds(10)) == 0, "\(service.output.suffix(2_000))")

        let letters = try await BlockingCall.run { try KafkaTopicReader.readAll(bootstrapServers: broker.bootstrapServers, topic: "clicks-dlq") }
        var byKey: [String: [(pipeline: String, reason: String)]] = [:]
        for letter in letters {
            let header = { (name: String) in letter.headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) } ?? "" }
            byKey[letter.keyString ?? "", default: []].append((header("streamz.pipeline"), header("streamz.error")))
        }
        for (index, bad) in corpus.enumerated() {
            let got = byKey["bad\(index)"] ?? []
            #expect(Set(got.map(\.pipeline)) == bad.pipelines && got.count == bad.pipelines.count,
                    "\(bad.name): dead-lettered by \(got.map(\.pipeline)), expected \(bad.pipelines.sorted())")
            #expect(got.allSatisfy { !$0.reason.isEmpty }, "\(bad.name): no reason")
            let original = letters.first { $0.keyString == "bad\(index)" }
            #expect(original?.value == bad.bytes, "\(bad.name): the dead letter does not keep the original bytes")
        }
        #expect(byKey.keys.allSatisfy { $0.hasPrefix("bad") }, "good records in the dead letters: \(byKey.keys.filter { !$0.hasPrefix("bad") }.prefix(5))")
        let enriched = try await BlockingCall.run { try KafkaTopicReader.count(bootstrapServers: broker.bootstrapServers, topic: "clicks-enriched") }
        // Good clicks, plus the bad ones only the window refuses (enrich takes them).
        let enrichOnly = corpus.filter { !$0.pipelines.contains("enrich") }.count
        #expect(enriched == Int64(good.count + enrichOnly))
    }
}
