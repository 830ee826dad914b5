import Streamz
import StreamzKafka
import Testing
@testable import StreamzService

/// A topic-to-topic program reads JSON objects through slots (`RecordSlots`), with
/// its field reads compiled to slot reads. This compares it, record by record, with
/// the same program reading a parsed document: the same message (key, value and
/// timestamp), the same dead-letter reason and the same event time, over pipelines
/// of every shape and records good, odd and broken.
@Suite struct RecordProgramTests {
    struct Pipeline: Sendable {
        var name: String
        /// Event time from the `ts` field; otherwise the Kafka timestamp.
        var eventTime: Bool
        /// The `steps:` list, one step per line.
        var steps: [String]
        var key: String?
        /// The sink's `headers:` policy, when set.
        var headers: String?
        /// Whether its expressions all run on the scalar path (see `ScalarPlan`).
        var onScalars = false
    }

    static let pipelines: [Pipeline] = [
        Pipeline(name: "filter, map and key field (the example's enrich)", eventTime: true, steps: [
            #"- filter: "value > 10 && page != '/health'""#,
            #"- map: {user: user, page: page, value2: "value * 2", ts: ts}"#,
        ], key: "user", onScalars: true),
        Pipeline(name: "map without key, Kafka time", eventTime: false, steps: [
            #"- map: {who: "upper(user)", n: "coalesce(missing, value, 0)", deep: "coalesce(a.b[1], -1)"}"#,
        ]),
        Pipeline(name: "filter only, key expression", eventTime: true, steps: [
            #"- filter: "len(user) > 2 || !(value < 5)""#,
        ], key: #""concat(user, '-', page)""#),
        Pipeline(name: "two maps", eventTime: false, steps: [
            #"- map: {u: user, v: "-value", t: ts}"#,
            #"- filter: "v < -11""#,
            #"- map: {u: u, doubled: "v * 2"}"#,
        ], key: "u"),
        Pipeline(name: "no steps, key from a nested path", eventTime: false, steps: [], key: #""coalesce(a.b[0], user)""#),
        Pipeline(name: "filter and map, headers dropped", eventTime: true, steps: [
            #"- filter: "value > 10""#,
            #"- map: {user: user, value: value}"#,
        ], key: "user", headers: "drop", onScalars: true),
        Pipeline(name: "every operator the scalar path runs", eventTime: true, steps: [
            #"- filter: "!(value < 0) && (page == '/home' || page >= '/p' || -value * 2 % 7 != 3.5 / 2)""#,
            #"- map: {user: user, n: "value + 1 - 2", half: "value / 2", big: "value > 100", none: "null", tag: "'x'", t: ts}"#,
        ], key: "n", onScalars: true),
        Pipeline(name: "filter only, key a field (original payload)", eventTime: false, steps: [
            #"- filter: "value != 42 && user != 'u2'""#,
        ], key: "user", onScalars: true),
        Pipeline(name: "a literal JSON must escape (keeps the scalar path off)", eventTime: true, steps: [
            #"- filter: "page != '/health' && page != 'a\"b'""#,
            #"- map: {user: user, value: value}"#,
        ], key: "user"),
        Pipeline(name: "filter and map reading nested paths", eventTime: true, steps: [
            #"- filter: "coalesce(user, '') != 'x' && coalesce(a.b[1], 2) == 2 && value != 42""#,
            #"- map: {a: "coalesce(a, null)", user: user}"#,
        ], key: "user"),
    ]

    static let records: [String?] = {
        var records: [String?] = [
            #"{"user":"u1","page":"/home","value":42,"ts":1700000000000}"#,
            #"{"user":"u2","page":"/health","value":42,"ts":1700000000001}"#,
            #"{"user":"u3","page":"/home","value":3,"ts":1700000000002}"#,
            #" { "ts" : 1700000000003 , "value" : 11.5 , "page" : "/a\"b" , "user" : "ünï 🎉" } "#,
            #"{"us\u0065r":"escaped","page":"/","value":20,"ts":1700000000004,"a":{"b":[1,2]}}"#,
            #"{"user":"first","user":"last","page":"/","value":20,"ts":5,"value":21}"#,
            #"{"user":"u1","page":"/home","value":42}"#,
            #"{"user":"u1","page":"/home","ts":1}"#,
            #"{"page":"/home","value":42,"ts":1}"#,
            #"{}"#,
            #"{"user":null,"page":null,"value":null,"ts":null}"#,
            #"{"user":1,"page":[],"value":"12","ts":"2023-11-14T22:13:20Z"}"#,
            #"{"user":"u1","page":"/p","value":9223372036854775807,"ts":1}"#,
            #"{"user":"u1","page":"/p","value":-9223372036854775808,"ts":1}"#,
            #"{"user":"u1","page":"/p","value":1e308,"ts":1e3}"#,
            #"{"user":"u1","a":{"b":[7,2]},"page":"/p","value":12,"ts":1,"x":{"y":[{"z":null}]}}"#,
            #"{"user":"u1","a":{"b":7},"page":"/p","value":12,"ts":1}"#,
            #"{"user":"u1","page":"\/esc\u00e9","value":12,"ts":-0}"#,
            #"{"user":"u1","page":true,"value":12.0,"ts":0}"#,
            #"{"user":"u1","page":null,"value":-0,"ts":-0.0}"#,
            // Integers a map copies as their text: -0 is not written as it was read.
            #"{"user":"u1","page":"/p","value":12,"ts":-0}"#,
            #"{"user":"u1","page":"/p","value":-0,"ts":12345678}"#,
            #"{"user":"u1","page":"/p","value":123456789012345678,"ts":-1234567890123456789}"#,
            #"{"user":"u1","page":"/p","value":12345678,"ts":9223372036854775807}"#,
            #"{"user":"u1","a":[1],"page":"/p","value":12,"ts":1}"#,
            #"{"user":"u1","a":{"b":[]},"page":"/p","value":12,"ts":1}"#,
            // For the scalar path: what it reads itself, and what it must leave to a parse.
            #"{"user":"ünï 🎉","page":"/home","value":42,"ts":1700000000000}"#,
            #"{"user":"u1","page":"/héalth","value":42,"ts":1700000000000,"skip":{"x":[1,{"y":"\u00e9"}],"z":null}}"#,
            #"{"user":"u1","page":"/p","value":4611686018427387904,"ts":1}"#,
            #"{"user":"u1","page":"/p","value":-4611686018427387905,"ts":1}"#,
            #"{"user":"u1","page":"/p","value":999999999999999999,"ts":1}"#,
            #"{"user":"u1","page":"/p","value":1000000000000000000,"ts":1}"#,
            #"{"user":"u1","page":"/p","value":12.5,"ts":1.5}"#,
            #"{"user":"u1","page":"/p","value":12e0,"ts":-1}"#,
            #"{"user":"u1","page":"/p","value":-0.0,"ts":9999999999999999}"#,
            #"{"user":"u1","page":"/p","value":12,"ts":253402300800000}"#,
            #"{"user":"u1","page":"/p","value":-,"ts":1}"#,
            #"{"user":"u1","page":"/p","value":1.,"ts":1}"#,
            #"{"user":"u1","page":"/p","value":12,"ts":1,"skip":[1,2,}"#,
            #"{"user":"u1","page":"/p","value":12,"ts":1,"skip":"\x"}"#,
            #"{"user":"u\"1","page":"/p","value":12,"ts":1}"#,
            #"{"user":"","page":"","value":0,"ts":0}"#,
            #"{"user":true,"page":false,"value":null,"ts":1}"#,
            #"{"user":"u1","page":"/p","value":12,"ts":1,"user":"u9"}"#,
            #"{"user":"u1","page":"/p","value":12,"ts":1,"page":{}}"#,
            "{\t\"user\" :\r\n\"u1\" ,\"page\":\"/p\",\"value\":12,\"ts\":1}\n",
            #"{"user":"u1","page":"/p","value":12,"ts":1}}"#,
            #"{"user":"u1","page":"/p","value":12,"ts":1"#,
            "{\"user\":\"u1\",\"page\":\"/p\",\"value\":12,\"ts\":1,\"x\":\"\u{7F}\"}",
            "{\"user\":\"u1\",\"page\":\"/\u{FF}\",\"value\":12,\"ts\":1}",
            "[1,2]", "42", "\"text\"", "null", "true", " ", "",
            #"{"user":"u1","page":"/p","value":12,"ts":1,}"#,
            #"{"user":"u1","page":"/p","value":12,"ts":1} x"#,
            #"{"user":"u1","page":"/p","value":012,"ts":1}"#,
            #"{"user":"u1""page":"/p"}"#,
            "{\"user\":\"u1\",\"page\":\"/\u{01}\",\"value\":12,\"ts\":1}",
            String(repeating: "{\"a\":", count: 200) + "1" + String(repeating: "}", count: 200),
            nil,
        ]
        records += BadInputCorpusTests.corpus.filter { ($0.bytes?.count ?? 0) < 100_000 }
            .map { $0.bytes.map { String(decoding: $0, as: UTF8.self) } }
        records += BadInputCorpusTests.good
        return records
    }()

    private func programs(_ pipeline: Pipeline) throws -> (slotted: RecordProgram, general: RecordProgram) {
        let config = try ConfigLoader.load(text: """
            kafka: {bootstrap_servers: "127.0.0.1:9092", group_id: g}
            pipelines:
              - name: p
                source:
                  topics: [in]
                  format: json
                  \(pipeline.eventTime ? "event_time: {field: ts, unit: ms}" : "")
                steps:
                  \(pipeline.steps.isEmpty ? "[]" : pipeline.steps.joined(separator: "\n      "))
                sink:
                  kafka: {topic: out\(pipeline.key.map { ", key: \($0)" } ?? "")\(pipeline.headers.map { ", headers: \($0)" } ?? "")}
                dead_letter: {topic: dlq}
            """, file: "pipeline.yaml", environment: [:])
        let plan = try #require(try config.plans().first)
        guard case .kafka(_, let sinkKey, let headers) = plan.sink else { throw StepFailure("not a Kafka sink") }
        let reading = plan.eventTime.map { EventTimeReading(field: $0, unit: .milliseconds, maxAheadOfWallClock: nil) }
        let context = EvaluationContext(nowMillis: { 1_700_000_000_000 })
        return (RecordProgram(plan: plan, key: sinkKey, headers: headers, eventTime: reading, context: context),
                RecordProgram(plan: plan, key: sinkKey, headers: headers, eventTime: reading, context: context,
                              compilesFieldReads: false))
    }

    /// What a program made of a record, comparable.
    private enum Outcome: Equatable {
        case message(key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader], timestamp: Int64?, eventTime: Int64)
        case dropped(eventTime: Int64)
        case failed(String)
    }

    private func outcome(_ program: RecordProgram, _ record: KafkaRecord) -> Outcome {
        var annotation = Annotation(eventTime: record.timestamp)
        do {
            guard let message = try program.run(record, &annotation) else { return .dropped(eventTime: annotation.eventTime) }
            return .message(key: message.key, value: message.value, headers: message.headers, timestamp: message.timestamp,
                            eventTime: annotation.eventTime)
        } catch {
            return .failed(error.reason)
        }
    }

    @Test(arguments: pipelines.indices)
    func slotsGiveWhatAParsedRecordGives(_ index: Int) throws {
        let (slotted, general) = try programs(Self.pipelines[index])
        var outcomes: [String: Int] = [:]
        for (offset, text) in Self.records.enumerated() {
            let headers = offset % 2 == 0 ? [] : [KafkaHeader("trace", "t\(offset)"), KafkaHeader("flag", nil as [UInt8]?)]
            let record = KafkaRecord(topic: "in", partition: 0, offset: Int64(offset), key: Array("k\(offset)".utf8),
                                     value: text.map { Array($0.utf8) }, headers: headers, timestamp: 1_600_000_000_000,
                                     timestampType: .createTime)
            let expected = outcome(general, record)
            #expect(outcome(slotted, record) == expected, "\(Self.pipelines[index].name): record \(offset): \(text ?? "nil")")
            switch expected {
            case .message(_, _, let forwarded, _, _):
                let dropped = Self.pipelines[index].headers == "drop"
                #expect(forwarded == (dropped ? [] : headers), "the input's headers go with the message unless dropped")
                outcomes["message", default: 0] += 1
            case .dropped: outcomes["dropped", default: 0] += 1
            case .failed: outcomes["failed", default: 0] += 1
            }
        }
        // Most plain records of these took the scalar path, so the comparison covers it.
        #expect(Self.pipelines[index].onScalars ? slotted.recordsOnScalars > 40 : slotted.recordsOnScalars == 0,
                "\(slotted.recordsOnScalars) records on scalars")
        // The comparison means something only if each pipeline produces messages and
        // failures (and, with a filter, drops) over these records.
        #expect(outcomes["message", default: 0] > 10 && outcomes["failed", default: 0] > 10, "\(outcomes)")
        if Self.pipelines[index].steps.contains(where: { $0.contains("filter") }) { #expect(outcomes["dropped", default: 0] > 0, "\(outcomes)") }
    }

    /// The scalar path runs plain records, and leaves to the general path the records
    /// and programs it cannot run exactly (whose outcomes the test above compares).
    @Test func theScalarPathRunsPlainRecordsOnly() throws {
        let (example, _) = try programs(Self.pipelines[0])
        let plain = [
            #"{"user":"u1","page":"/home","value":42,"ts":1700000000000}"#,
            #"{"user":"u2","page":"/health","value":42,"ts":1700000000001}"#,
            #" { "ts" : 5 , "value" : 11.5 , "page" : "/ü" , "user" : "🎉", "other": {"a": [true, "\n"]} } "#,
        ]
        for (offset, text) in plain.enumerated() {
            _ = outcome(example, KafkaRecord(topic: "in", partition: 0, offset: Int64(offset), key: nil, value: Array(text.utf8)))
        }
        #expect(example.recordsOnScalars == plain.count)
        let unsure = [
            #"{"user":"u\u0031","page":"/home","value":42,"ts":1}"#,  // an escape in a field read
            #"{"user":"u1","page":"/home","value":4611686018427387904,"ts":1}"#,  // value * 2 overflows
            #"{"user":"u1","page":"/home","value":42}"#,  // no ts
            #"{"user":"u1","page":"/home","value":42,"ts":1,}"#,  // invalid
            #"[1]"#,
        ]
        for (offset, text) in unsure.enumerated() {
            _ = outcome(example, KafkaRecord(topic: "in", partition: 0, offset: Int64(offset), key: nil, value: Array(text.utf8)))
        }
        #expect(example.recordsOnScalars == plain.count)

        let escapingLiteral = try #require(Self.pipelines.firstIndex { $0.name.hasPrefix("a literal JSON must escape") })
        let (offPath, _) = try programs(Self.pipelines[escapingLiteral])
        _ = outcome(offPath, KafkaRecord(topic: "in", partition: 0, offset: 0, key: nil, value: Array(plain[0].utf8)))
        #expect(offPath.recordsOnScalars == 0)
    }

    /// And the messages themselves, for the example pipeline: the compiled path is not
    /// merely equal to the general one, both are right.
    @Test func theExamplePipelineWritesTheMappedClick() throws {
        let (slotted, _) = try programs(Self.pipelines[0])
        let headers = [KafkaHeader("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
        let record = KafkaRecord(topic: "in", partition: 0, offset: 0, key: nil,
                                 value: Array(#"{"ts":1700000000000,"user":"u1","x":[{}],"page":"/home","value":42}"#.utf8),
                                 headers: headers)
        #expect(outcome(slotted, record) == .message(
            key: Array("u1".utf8), value: Array(#"{"user":"u1","page":"/home","value2":84,"ts":1700000000000}"#.utf8),
            headers: headers, timestamp: 1_700_000_000_000, eventTime: 1_700_000_000_000))
        let missing = KafkaRecord(topic: "in", partition: 0, offset: 1, key: nil, value: Array(#"{"ts":1,"user":"u1","value":42}"#.utf8))
        #expect(outcome(slotted, missing) == .failed("filter: missing field 'page'"))
    }
}
