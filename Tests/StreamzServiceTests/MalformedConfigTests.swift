import Testing
@testable import StreamzService

/// A config that must be refused, with where and why.
struct MalformedConfig: Sendable, CustomTestStringConvertible {
    let name: String
    let yaml: String
    let line: Int?
    let field: String?
    let fragment: String

    var testDescription: String { name }
}

@Suite struct MalformedConfigTests {
    /// Rejects any expression containing "@", standing in for the runtime's parser.
    static func checkExpression(_ expression: ExpressionText, _ kind: ExpressionKind) -> (column: Int, message: String)? {
        guard let at = expression.text.firstIndex(of: "@") else { return nil }
        return (expression.text.distance(from: expression.text.startIndex, to: at) + 1, "unexpected character '@'")
    }

    @Test(arguments: MalformedConfigTests.cases)
    func isRejectedWithLineFieldAndReason(_ config: MalformedConfig) {
        do {
            let loaded = try ConfigLoader.load(text: config.yaml, file: "pipeline.yaml",
                                               environment: ["DATABASE_URL": "postgres://app@localhost/app"],
                                               checkExpression: Self.checkExpression)
            Issue.record("loaded: \(loaded.pipelines.map(\.name))")
        } catch {
            #expect(error.file == "pipeline.yaml")
            #expect(error.line == config.line, "\(error)")
            #expect(error.field == config.field, "\(error)")
            #expect(error.message.contains(config.fragment), "\(error)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func casesAreDistinct() {
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count)
        #expect(Set(Self.cases.map(\.yaml)).count == Self.cases.count)
        #expect(Self.cases.count >= 30)
    }
}

extension MalformedConfigTests {
    static let cases: [MalformedConfig] = [
        // MARK: The file
        MalformedConfig(name: "empty file", yaml: "", line: nil, field: nil, fragment: "the config is empty"),
        MalformedConfig(name: "comments only", yaml: "# nothing yet\n", line: nil, field: nil, fragment: "the config is empty"),
        MalformedConfig(name: "top level is a list", yaml: """
            - kafka
            - pipelines
            """, line: 1, field: nil, fragment: "expected a mapping with kafka, pipelines"),
        MalformedConfig(name: "YAML syntax error", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: [copy
                source: {topics: [input]}
            """, line: 4, field: nil, fragment: "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence from line 3)"),
        MalformedConfig(name: "tab indentation", yaml: """
            kafka:
              bootstrap_servers: embedded
            \tgroup_id: app
            """, line: 3, field: nil, fragment: "a tab character (YAML indents with spaces only)"),
        MalformedConfig(name: "two YAML documents", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            ---
            pipelines: []
            """, line: 2, field: nil, fragment: "more than one YAML document"),
        MalformedConfig(name: "YAML merge key", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source:
                  <<: {topics: [input]}
                sink: {kafka: {topic: output}}
            """, line: 5, field: "pipelines[0].source", fragment: "merge keys ('<<') are not supported"),
        MalformedConfig(name: "duplicate key", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [input]}
                sink: {kafka: {topic: output}}
                source: {topics: [other]}
            """, line: 6, field: nil, fragment: "duplicate key 'source' (first at line 4)"),

        // MARK: Keys
        MalformedConfig(name: "unknown top-level key", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipeline:
              - name: copy
            """, line: 2, field: "pipeline", fragment: "unknown key 'pipeline' (expected one of: kafka, postgres, http, pipelines)"),
        MalformedConfig(name: "unknown key in kafka", yaml: """
            kafka:
              bootstrap_servers: embedded
              group: app
            """, line: 3, field: "kafka.group", fragment: "unknown key 'group' (expected one of: bootstrap_servers, group_id, properties)"),
        MalformedConfig(name: "unknown key in postgres", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            postgres: {uri: "postgres://localhost/app"}
            """, line: 2, field: "postgres.uri", fragment: "unknown key 'uri' (expected one of: url)"),
        MalformedConfig(name: "unknown key in http", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            http: {port: 9464, host: 0.0.0.0}
            """, line: 2, field: "http.host", fragment: "unknown key 'host' (expected one of: port)"),
        MalformedConfig(name: "unknown key in a pipeline", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [input]}
                sinks: {kafka: {topic: output}}
            """, line: 5, field: "pipelines[0].sinks", fragment: "unknown key 'sinks' (expected one of: name, source, steps, sink, dead_letter)"),
        MalformedConfig(name: "unknown key in source", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source:
                  topics: [input]
                  offset: earliest
                sink: {kafka: {topic: output}}
            """, line: 6, field: "pipelines[0].source.offset", fragment: "unknown key 'offset' (expected one of: topics, format, start, event_time, watermark, max_record_bytes)"),
        MalformedConfig(name: "unknown key in event_time", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [input], event_time: {field: ts, units: ms}}
                sink: {kafka: {topic: output}}
            """, line: 4, field: "pipelines[0].source.event_time.units", fragment: "unknown key 'units' (expected one of: field, unit)"),
        MalformedConfig(name: "unknown key in watermark", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source:
                  topics: [input]
                  watermark: {max_delay: 2s}
                sink: {kafka: {topic: output}}
            """, line: 6, field: "pipelines[0].source.watermark.max_delay", fragment: "unknown key 'max_delay' (expected one of: max_out_of_order, idle_timeout)"),
        MalformedConfig(name: "unknown key in window", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window:
                      kind: tumbling
                      sise: 1m
                      aggregate: {views: "count()"}
                sink: {kafka: {topic: output}}
            """, line: 8, field: "pipelines[0].steps[0].window.sise", fragment: "unknown key 'sise'"),
        MalformedConfig(name: "unknown key in kafka sink", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [input]}
                sink:
                  kafka: {topics: output}
            """, line: 6, field: "pipelines[0].sink.kafka.topics", fragment: "unknown key 'topics' (expected one of: topic, key, headers)"),
        MalformedConfig(name: "unknown key in dead_letter", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [input]}
                sink: {kafka: {topic: output}}
                dead_letter: {topic: dlq, partitions: 3}
            """, line: 6, field: "pipelines[0].dead_letter.partitions", fragment: "unknown key 'partitions' (expected one of: topic)"),
        MalformedConfig(name: "missing kafka.group_id", yaml: """
            kafka:
              bootstrap_servers: embedded
            pipelines:
              - {name: copy, source: {topics: [input]}, sink: {kafka: {topic: output}}}
            """, line: 2, field: "kafka", fragment: "missing required key 'group_id'"),

        // MARK: Pipelines
        MalformedConfig(name: "missing pipelines", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            http: {port: 9464}
            """, line: 1, field: nil, fragment: "missing required key 'pipelines'"),
        MalformedConfig(name: "empty pipelines list", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines: []
            """, line: 2, field: "pipelines", fragment: "needs at least one pipeline"),
        MalformedConfig(name: "pipelines as a mapping", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              copy: {source: {topics: [input]}}
            """, line: 3, field: "pipelines", fragment: "expected a list, got a mapping"),
        MalformedConfig(name: "duplicate pipeline names", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [input]}
                sink: {kafka: {topic: output}}
              - name: copy
                source: {topics: [other]}
                sink: {kafka: {topic: output2}}
            """, line: 6, field: "pipelines[1].name", fragment: "duplicate pipeline name 'copy' (first used at line 3)"),
        MalformedConfig(name: "bad pipeline name characters", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: page views
                source: {topics: [input]}
                sink: {kafka: {topic: output}}
            """, line: 3, field: "pipelines[0].name", fragment: "pipeline name 'page views' may only contain letters, digits, '_' and '-'"),
        MalformedConfig(name: "missing source", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                sink: {kafka: {topic: output}}
            """, line: 3, field: "pipelines[0]", fragment: "missing required key 'source'"),

        // MARK: Sources
        MalformedConfig(name: "empty topics", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: []}
                sink: {kafka: {topic: output}}
            """, line: 4, field: "pipelines[0].source.topics", fragment: "needs at least one topic"),
        MalformedConfig(name: "topics as a string", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source:
                  topics: clicks
                sink: {kafka: {topic: output}}
            """, line: 5, field: "pipelines[0].source.topics", fragment: "expected a list, got a string"),
        MalformedConfig(name: "bad topic name", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source:
                  topics:
                    - clicks
                    - "page views"
                sink: {kafka: {topic: output}}
            """, line: 7, field: "pipelines[0].source.topics[1]", fragment: "'page views' is not a valid Kafka topic name"),
        MalformedConfig(name: "topic named ..", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [".."]}
                sink: {kafka: {topic: output}}
            """, line: 4, field: "pipelines[0].source.topics[0]", fragment: "'..' is not a valid Kafka topic name"),
        MalformedConfig(name: "bad format", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source:
                  topics: [input]
                  format: xml
                sink: {kafka: {topic: output}}
            """, line: 6, field: "pipelines[0].source.format", fragment: "unknown value 'xml' (expected json, text or bytes)"),
        MalformedConfig(name: "bad header policy", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [input]}
                sink:
                  kafka: {topic: output, headers: keep}
            """, line: 6, field: "pipelines[0].sink.kafka.headers", fragment: "unknown value 'keep' (expected forward or drop)"),
        MalformedConfig(name: "bad start", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source:
                  topics: [input]
                  start: beginning
                sink: {kafka: {topic: output}}
            """, line: 6, field: "pipelines[0].source.start", fragment: "unknown value 'beginning' (expected earliest or latest)"),
        MalformedConfig(name: "bad event_time unit", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source:
                  topics: [input]
                  event_time:
                    field: ts
                    unit: us
                sink: {kafka: {topic: output}}
            """, line: 8, field: "pipelines[0].source.event_time.unit", fragment: "unknown value 'us' (expected ms, s or iso8601)"),
        MalformedConfig(name: "bad event_time field path", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source:
                  topics: [input]
                  event_time: {field: meta..ts}
                sink: {kafka: {topic: output}}
            """, line: 6, field: "pipelines[0].source.event_time.field", fragment: "'meta..ts' is not a field path"),
        MalformedConfig(name: "text format with an event_time field", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source:
                  topics: [input]
                  format: text
                  event_time:
                    field: ts
                sink: {kafka: {topic: output}}
            """, line: 8, field: "pipelines[0].source.event_time.field", fragment: "format 'text' has no fields to read an event time from"),

        // MARK: Durations
        MalformedConfig(name: "max_record_bytes zero", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source:
                  topics: [input]
                  max_record_bytes: 0
                sink: {kafka: {topic: output}}
            """, line: 6, field: "pipelines[0].source.max_record_bytes", fragment: "must be between 1 and 100000000 bytes, got 0"),
        MalformedConfig(name: "max_record_bytes with a unit", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source:
                  topics: [input]
                  max_record_bytes: 5MB
                sink: {kafka: {topic: output}}
            """, line: 6, field: "pipelines[0].source.max_record_bytes", fragment: "expected an integer, got '5MB'"),
        MalformedConfig(name: "duration without a unit", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source:
                  topics: [input]
                  watermark: {max_out_of_order: 5}
                sink: {kafka: {topic: output}}
            """, line: 6, field: "pipelines[0].source.watermark.max_out_of_order", fragment: "duration '5' needs a unit: ms, s, m, h or d"),
        MalformedConfig(name: "negative duration", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window: {kind: tumbling, size: 1m, grace: -5s, aggregate: {views: "count()"}}
                sink: {kafka: {topic: output}}
            """, line: 6, field: "pipelines[0].steps[0].window.grace", fragment: "duration '-5s' must not be negative"),
        MalformedConfig(name: "garbage duration", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window:
                      kind: tumbling
                      size: a minute
                      aggregate: {views: "count()"}
                sink: {kafka: {topic: output}}
            """, line: 8, field: "pipelines[0].steps[0].window.size", fragment: "'a minute' is not a duration"),
        MalformedConfig(name: "duration too big", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window:
                      kind: tumbling
                      size: 8d
                      aggregate: {views: "count()"}
                sink: {kafka: {topic: output}}
            """, line: 8, field: "pipelines[0].steps[0].window.size", fragment: "duration '8d' is too long (at most 7d)"),
        MalformedConfig(name: "zero window size", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window:
                      kind: tumbling
                      size: 0s
                      aggregate: {views: "count()"}
                sink: {kafka: {topic: output}}
            """, line: 8, field: "pipelines[0].steps[0].window.size", fragment: "duration must be greater than 0"),
        MalformedConfig(name: "zero idle timeout", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source:
                  topics: [input]
                  watermark:
                    idle_timeout: 0ms
                sink: {kafka: {topic: output}}
            """, line: 7, field: "pipelines[0].source.watermark.idle_timeout", fragment: "duration must be greater than 0, got '0ms'"),

        // MARK: Steps
        MalformedConfig(name: "window not last", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window: {kind: tumbling, size: 1m, aggregate: {views: "count()"}}
                  - filter: "views > 10"
                sink: {kafka: {topic: output}}
            """, line: 6, field: "pipelines[0].steps[0]", fragment: "the window step must be the last step"),
        MalformedConfig(name: "two windows", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window: {kind: tumbling, size: 1m, aggregate: {views: "count()"}}
                  - window: {kind: tumbling, size: 1h, aggregate: {views: "sum(views)"}}
                sink: {kafka: {topic: output}}
            """, line: 7, field: "pipelines[0].steps[1]", fragment: "at most one window step (the first is at line 6)"),
        MalformedConfig(name: "session window with a size", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: sessions
                source: {topics: [input]}
                steps:
                  - window:
                      kind: session
                      gap: 30m
                      size: 1h
                      aggregate: {views: "count()"}
                sink: {kafka: {topic: output}}
            """, line: 9, field: "pipelines[0].steps[0].window.size", fragment: "a session window has no size"),
        MalformedConfig(name: "hopping window without advance", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window:
                      kind: hopping
                      size: 1m
                      aggregate: {views: "count()"}
                sink: {kafka: {topic: output}}
            """, line: 7, field: "pipelines[0].steps[0].window", fragment: "missing required key 'advance' (a hopping window needs it)"),
        MalformedConfig(name: "advance larger than size", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window:
                      kind: hopping
                      size: 1m
                      advance: 90s
                      aggregate: {views: "count()"}
                sink: {kafka: {topic: output}}
            """, line: 9, field: "pipelines[0].steps[0].window.advance", fragment: "advance 90s must not exceed size 1m"),
        MalformedConfig(name: "advance on a tumbling window", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window: {kind: tumbling, size: 1m, advance: 30s, aggregate: {views: "count()"}}
                sink: {kafka: {topic: output}}
            """, line: 6, field: "pipelines[0].steps[0].window.advance", fragment: "'advance' is only for hopping windows"),
        MalformedConfig(name: "unknown window kind", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window: {kind: rolling, size: 1m, aggregate: {views: "count()"}}
                sink: {kafka: {topic: output}}
            """, line: 6, field: "pipelines[0].steps[0].window.kind", fragment: "unknown value 'rolling' (expected tumbling, hopping, sliding or session)"),
        MalformedConfig(name: "missing aggregate", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window:
                      kind: tumbling
                      size: 1m
                      key: [page]
                sink: {kafka: {topic: output}}
            """, line: 7, field: "pipelines[0].steps[0].window", fragment: "missing required key 'aggregate'"),
        MalformedConfig(name: "empty aggregate", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window: {kind: tumbling, size: 1m, aggregate: {}}
                sink: {kafka: {topic: output}}
            """, line: 6, field: "pipelines[0].steps[0].window.aggregate", fragment: "needs at least one aggregate"),
        MalformedConfig(name: "aggregate name clashes with a key", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window:
                      kind: tumbling
                      size: 1m
                      key: [meta.page]
                      aggregate:
                        views: "count()"
                        page: "max(value)"
                sink: {kafka: {topic: output}}
            """, line: 12, field: "pipelines[0].steps[0].window.aggregate.page", fragment: "aggregate name 'page' clashes with the window key"),
        MalformedConfig(name: "aggregate named window_start", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window:
                      kind: tumbling
                      size: 1m
                      aggregate:
                        window_start: "min(ts)"
                sink: {kafka: {topic: output}}
            """, line: 10, field: "pipelines[0].steps[0].window.aggregate.window_start", fragment: "aggregate name 'window_start' is reserved"),
        MalformedConfig(name: "aggregate name not an identifier", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window:
                      kind: tumbling
                      size: 1m
                      aggregate:
                        total-views: "count()"
                sink: {kafka: {topic: output}}
            """, line: 10, field: "pipelines[0].steps[0].window.aggregate.total-views", fragment: "aggregate name 'total-views' is not an identifier"),
        MalformedConfig(name: "unknown step kind", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [input]}
                steps:
                  - filter: "value > 1"
                  - flat_map: items
                sink: {kafka: {topic: output}}
            """, line: 7, field: "pipelines[0].steps[1].flat_map", fragment: "unknown step 'flat_map' (expected one of: filter, map, window)"),
        MalformedConfig(name: "step with two kinds", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [input]}
                steps:
                  - filter: "value > 1"
                    map: {doubled: "value * 2"}
                sink: {kafka: {topic: output}}
            """, line: 7, field: "pipelines[0].steps[0].map", fragment: "a step has exactly one kind, this one has both 'filter' and 'map'"),
        MalformedConfig(name: "step as a plain string", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [input]}
                steps:
                  - filter
                sink: {kafka: {topic: output}}
            """, line: 6, field: "pipelines[0].steps[0]", fragment: "expected a mapping, got a string"),
        MalformedConfig(name: "empty filter expression", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [input]}
                steps:
                  - filter: ""
                sink: {kafka: {topic: output}}
            """, line: 6, field: "pipelines[0].steps[0].filter", fragment: "expected an expression, got an empty string"),
        MalformedConfig(name: "expression rejected by the checker", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [input]}
                steps:
                  - map:
                      user: user
                      email: "user @ domain"
                sink: {kafka: {topic: output}}
            """, line: 8, field: "pipelines[0].steps[0].map.email", fragment: "column 6 of the expression: unexpected character '@'"),

        // MARK: Sinks
        MalformedConfig(name: "sink with both kafka and postgres", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            postgres: {url: "${DATABASE_URL}"}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window: {kind: tumbling, size: 1m, aggregate: {views: "count()"}}
                sink:
                  kafka: {topic: output}
                  postgres: {table: views}
            """, line: 10, field: "pipelines[0].sink.postgres", fragment: "a sink has exactly one kind, got both 'kafka' and 'postgres'"),
        MalformedConfig(name: "no sink", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [input]}
                steps:
                  - filter: "value > 1"
            """, line: 3, field: "pipelines[0]", fragment: "missing required key 'sink'"),
        MalformedConfig(name: "empty sink", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [input]}
                sink: {}
            """, line: 5, field: "pipelines[0].sink", fragment: "a sink needs one of: kafka, postgres"),
        MalformedConfig(name: "kafka sink without topic", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [input]}
                sink:
                  kafka: {key: user}
            """, line: 6, field: "pipelines[0].sink.kafka", fragment: "missing required key 'topic'"),
        MalformedConfig(name: "postgres sink without a window", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            postgres: {url: "${DATABASE_URL}"}
            pipelines:
              - name: rows
                source: {topics: [input]}
                steps:
                  - filter: "value > 1"
                sink:
                  postgres: {table: rows}
            """, line: 9, field: "pipelines[0].sink.postgres", fragment: "a postgres sink needs the pipeline to end with a window step"),
        MalformedConfig(name: "postgres sink without url", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            postgres:
              url: "${PG_URL}"
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window: {kind: tumbling, size: 1m, aggregate: {views: "count()"}}
                sink:
                  postgres: {table: views}
            """, line: 10, field: "pipelines[0].sink.postgres", fragment: "needs postgres.url: postgres.url is empty (PG_URL is empty or unset)"),
        MalformedConfig(name: "postgres sink without a postgres section", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window: {kind: tumbling, size: 1m, aggregate: {views: "count()"}}
                sink:
                  postgres: {table: views}
            """, line: 8, field: "pipelines[0].sink.postgres", fragment: "needs postgres.url: there is no postgres section"),
        MalformedConfig(name: "bad table name", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            postgres: {url: "${DATABASE_URL}"}
            pipelines:
              - name: views
                source: {topics: [input]}
                steps:
                  - window: {kind: tumbling, size: 1m, aggregate: {views: "count()"}}
                sink:
                  postgres:
                    table: "views; drop table users"
            """, line: 10, field: "pipelines[0].sink.postgres.table", fragment: "is not a table name"),
        MalformedConfig(name: "session update into postgres", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            postgres: {url: "${DATABASE_URL}"}
            pipelines:
              - name: sessions
                source: {topics: [input]}
                steps:
                  - window: {kind: session, gap: 30m, emit: update, aggregate: {views: "count()"}}
                sink:
                  postgres: {table: sessions}
            """, line: 9, field: "pipelines[0].sink.postgres", fragment: "a session window with emit: update cannot feed a postgres sink"),
        MalformedConfig(name: "sink topic equal to a source topic", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: loop
                source: {topics: [clicks, views]}
                sink:
                  kafka:
                    topic: views
            """, line: 7, field: "pipelines[0].sink.kafka.topic", fragment: "sink topic 'views' is also a source topic"),
        MalformedConfig(name: "dead-letter topic equal to a source topic", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            pipelines:
              - name: copy
                source: {topics: [clicks]}
                sink: {kafka: {topic: output}}
                dead_letter:
                  topic: clicks
            """, line: 7, field: "pipelines[0].dead_letter.topic", fragment: "dead-letter topic 'clicks' is also a source topic"),

        // MARK: Kafka, HTTP and the environment
        MalformedConfig(name: "properties with group.id", yaml: """
            kafka:
              bootstrap_servers: embedded
              group_id: app
              properties:
                security.protocol: SSL
                group.id: other
            """, line: 6, field: "kafka.properties.group.id", fragment: "'group.id' is set by the service (kafka.group_id)"),
        MalformedConfig(name: "properties with enable.auto.commit", yaml: """
            kafka:
              bootstrap_servers: embedded
              group_id: app
              properties: {enable.auto.commit: true}
            """, line: 4, field: "kafka.properties.enable.auto.commit", fragment: "'enable.auto.commit' is set by the service"),
        MalformedConfig(name: "properties with a nested map", yaml: """
            kafka:
              bootstrap_servers: embedded
              group_id: app
              properties:
                sasl:
                  mechanism: PLAIN
            """, line: 6, field: "kafka.properties.sasl", fragment: "expected a scalar value for a librdkafka property, got a mapping"),
        MalformedConfig(name: "properties with a misspelt librdkafka property", yaml: """
            kafka:
              bootstrap_servers: embedded
              group_id: app
              properties:
                linger.msec: 5
            """, line: 5, field: "kafka.properties.linger.msec", fragment: "'linger.msec' is not a property of librdkafka"),
        MalformedConfig(name: "properties with a value librdkafka refuses", yaml: """
            kafka:
              bootstrap_servers: embedded
              group_id: app
              properties: {partitioner: bogus}
            """, line: 4, field: "kafka.properties.partitioner",
            fragment: "librdkafka refuses it: Invalid value for configuration property \"partitioner\": bogus"),
        MalformedConfig(name: "http port out of range", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            http:
              port: 70000
            """, line: 3, field: "http.port", fragment: "port 70000 is out of range (expected 1 to 65535, or 0 to turn HTTP off)"),
        MalformedConfig(name: "http port as a string", yaml: """
            kafka: {bootstrap_servers: embedded, group_id: app}
            http:
              port: "abc"
            """, line: 3, field: "http.port", fragment: "expected an integer, got 'abc'"),
        MalformedConfig(name: "malformed interpolation", yaml: """
            kafka:
              bootstrap_servers: embedded
              group_id: "${1X}"
            """, line: 3, field: "kafka.group_id", fragment: "malformed variable reference '${1X}'"),
        MalformedConfig(name: "unclosed interpolation", yaml: """
            kafka:
              bootstrap_servers: "${BROKERS:-localhost:9092"
              group_id: app
            """, line: 2, field: "kafka.bootstrap_servers", fragment: "unclosed '${'"),
        MalformedConfig(name: "bootstrap servers empty after interpolation", yaml: """
            kafka:
              bootstrap_servers: "${KAFKA_BOOTSTRAP_SERVERS}"
              group_id: app
            pipelines:
              - {name: copy, source: {topics: [input]}, sink: {kafka: {topic: output}}}
            """, line: 2, field: "kafka.bootstrap_servers", fragment: "is empty"),
    ]
}
