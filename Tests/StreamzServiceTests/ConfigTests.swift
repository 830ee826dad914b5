import Foundation
import Testing
@testable import StreamzService

private let exampleConfig = ExampleConfig.yaml

private let databaseURL = "postgres://app:secret@127.0.0.1:5432/app"

private func load(_ text: String, environment: [String: String] = ["DATABASE_URL": databaseURL]) throws(ConfigError) -> ServiceConfig {
    try ConfigLoader.load(text: text, file: "pipeline.yaml", environment: environment)
}

/// A one-pipeline config around the given pipeline lines (indented as list entries).
private func minimal(_ pipelineBody: String = "", top: String = "") -> String {
    """
    kafka: {bootstrap_servers: "localhost:9092", group_id: app}
    \(top)
    pipelines:
      - name: copy
        source: {topics: [input]}
        sink: {kafka: {topic: output}}
    \(pipelineBody)
    """
}

@Suite struct ConfigTests {
    @Test func exampleLoadsWithEveryField() throws {
        let config = try load(exampleConfig)

        #expect(config.file == "pipeline.yaml")
        #expect(config.kafka == KafkaSection(bootstrapServers: "embedded", groupID: "clicks-app", properties: [:]))
        #expect(config.usesEmbeddedKafka)
        #expect(config.postgres == PostgresSection(url: databaseURL))
        #expect(config.http.port == 9464)
        #expect(config.pipelines.count == 2)

        let enrich = config.pipelines[0]
        #expect(enrich.name == "enrich")
        #expect(enrich.line == 10)
        #expect(enrich.source == SourceConfig(
            topics: ["clicks"], format: .json, start: .earliest,
            eventTime: EventTimeConfig(field: "ts", unit: .ms),
            watermark: WatermarkConfig(maxOutOfOrder: .seconds(2), idleTimeout: .seconds(10))))
        #expect(enrich.steps == [
            .filter(ExpressionText(text: "value > 10 && page != '/health'", line: 18, column: 17,
                                   field: "pipelines[0].steps[0].filter")),
            .map([
                MapField(name: "user", expression: ExpressionText(
                    text: "user", line: 20, column: 17, field: "pipelines[0].steps[1].map.user")),
                MapField(name: "page", expression: ExpressionText(
                    text: "page", line: 21, column: 17, field: "pipelines[0].steps[1].map.page")),
                MapField(name: "value2", expression: ExpressionText(
                    text: "value * 2", line: 22, column: 19, field: "pipelines[0].steps[1].map.value2")),
                MapField(name: "ts", expression: ExpressionText(
                    text: "ts", line: 23, column: 15, field: "pipelines[0].steps[1].map.ts")),
            ]),
        ])
        #expect(enrich.sink == .kafka(topic: "clicks-enriched", key: ExpressionText(
            text: "user", line: 25, column: 44, field: "pipelines[0].sink.kafka.key")))
        #expect(enrich.deadLetter == DeadLetterConfig(topic: "clicks-dlq"))

        let pageViews = config.pipelines[1]
        #expect(pageViews.name == "page_views")
        #expect(pageViews.line == 27)
        #expect(pageViews.source == SourceConfig(
            topics: ["clicks"], format: .json, start: .earliest,
            eventTime: EventTimeConfig(field: "ts", unit: .ms), watermark: WatermarkConfig()))
        #expect(pageViews.source.watermark.maxOutOfOrder == .zero)
        #expect(pageViews.source.watermark.idleTimeout == .seconds(30))
        let aggregatePath = "pipelines[1].steps[0].window.aggregate"
        #expect(pageViews.steps == [
            .window(WindowStepConfig(
                kind: .tumbling, size: .seconds(60), grace: .seconds(5),
                key: [ExpressionText(text: "page", line: 34, column: 17, field: "pipelines[1].steps[0].window.key[0]")],
                aggregate: [
                    AggregateSpec(name: "views", call: ExpressionText(
                        text: "count()", line: 35, column: 30, field: "\(aggregatePath).views")),
                    AggregateSpec(name: "total", call: ExpressionText(
                        text: "sum(value)", line: 35, column: 48, field: "\(aggregatePath).total")),
                    AggregateSpec(name: "top", call: ExpressionText(
                        text: "max(value)", line: 35, column: 67, field: "\(aggregatePath).top")),
                ],
                emit: .final, closeOnIdle: .seconds(30))),
        ])
        #expect(pageViews.sink == .postgres(table: "page_views_per_minute"))
        #expect(pageViews.deadLetter == DeadLetterConfig(topic: "clicks-dlq"))
    }

    @Test func exampleWithoutDatabaseURLFailsAtThePostgresSink() {
        #expect {
            try load(exampleConfig, environment: [:])
        } throws: { error in
            let error = error as! ConfigError
            return error.line == 39 && error.column == 17 && error.field == "pipelines[1].sink.postgres"
                && error.message.contains("postgres.url is empty (DATABASE_URL is empty or unset)")
        }
    }

    @Test func exampleWithABrokerAddressIsNotEmbedded() throws {
        let config = try load(exampleConfig, environment: [
            "KAFKA_BOOTSTRAP_SERVERS": "kafka-1:9092,kafka-2:9092", "DATABASE_URL": databaseURL,
        ])
        #expect(config.kafka.bootstrapServers == "kafka-1:9092,kafka-2:9092")
        #expect(!config.usesEmbeddedKafka)
    }

    @Test func loadsFromAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("streamz-config-\(UUID()).yaml").path
        try exampleConfig.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }

        let config = try ConfigLoader.load(path: path, environment: ["DATABASE_URL": databaseURL])
        #expect(config.file == path)
        #expect(config.pipelines.map(\.name) == ["enrich", "page_views"])
    }

    @Test func anUnreadableFileHasNoLine() {
        let path = "/nonexistent/streamz/pipeline.yaml"
        #expect(throws: ConfigError(file: path, message: "cannot read the config file: no such file")) {
            try ConfigLoader.load(path: path, environment: [:])
        }
    }

    @Test func defaultsApply() throws {
        let config = try load(minimal(), environment: [:])
        #expect(config.postgres == nil)
        #expect(config.http == HTTPSection(port: 9464))
        #expect(config.kafka.properties == [:])
        let pipeline = config.pipelines[0]
        #expect(pipeline.source == SourceConfig(topics: ["input"], format: .json, start: .earliest,
                                                eventTime: nil, watermark: WatermarkConfig()))
        #expect(pipeline.steps == [])
        #expect(pipeline.sink == .kafka(topic: "output", key: nil, headers: .forward))
        #expect(pipeline.deadLetter == nil)
        #expect(pipeline.line == 4)
    }

    @Test func windowDefaultsAndOtherKinds() throws {
        let config = try load("""
            kafka: {bootstrap_servers: embedded, group_id: app}
            postgres: {url: "${DATABASE_URL}"}
            pipelines:
              - name: hop
                source: {topics: [in], start: latest, event_time: {field: meta.ts, unit: iso8601}}
                steps:
                  - window: {kind: hopping, size: 1h, advance: 15m, aggregate: {n: "count()"}, close_on_idle: 0s}
                sink: {postgres: {table: analytics.hourly}}
              - name: sessions
                source: {topics: [in], format: json, event_time: {field: ts, unit: s}}
                steps:
                  - window: {kind: session, gap: 500ms, key: [user, meta.page], aggregate: {n: "count()"}, emit: update}
                sink: {kafka: {topic: sessions}}
              - name: slide
                source: {topics: [in]}
                steps:
                  - window: {kind: sliding, size: 1d, aggregate: {n: "count()"}}
                sink: {kafka: {topic: slid}}
            """, environment: ["DATABASE_URL": databaseURL])

        guard case .window(let hopping) = config.pipelines[0].steps[0],
              case .window(let session) = config.pipelines[1].steps[0],
              case .window(let sliding) = config.pipelines[2].steps[0] else {
            Issue.record("expected window steps")
            return
        }
        #expect(config.pipelines[0].source.start == .latest)
        #expect(config.pipelines[0].source.eventTime == EventTimeConfig(field: "meta.ts", unit: .iso8601))
        #expect(hopping.kind == .hopping(advance: .seconds(15 * 60)))
        #expect(hopping.size == .seconds(3600))
        #expect(hopping.grace == .zero)
        #expect(hopping.key == [])
        #expect(hopping.emit == .final)
        #expect(hopping.closeOnIdle == nil, "0s turns close-on-idle off")

        #expect(config.pipelines[1].source.eventTime?.unit == .s)
        #expect(session.kind == .session(gap: .milliseconds(500)))
        #expect(session.size == nil)
        #expect(session.key.map(\.text) == ["user", "meta.page"])
        #expect(session.emit == .update)
        #expect(config.pipelines[0].sink == .postgres(table: "analytics.hourly"))
        #expect(config.pipelines[1].sink == .kafka(topic: "sessions", key: nil), "sessions with update may go to Kafka")

        #expect(sliding.kind == .sliding)
        #expect(sliding.size == .seconds(86_400))
    }

    @Test func postgresIsNilWhenItsURLIsEmpty() throws {
        let withSection = try load(minimal(top: "postgres: {url: \"${DATABASE_URL}\"}"), environment: [:])
        #expect(withSection.postgres == nil)
        let withURL = try load(minimal(top: "postgres: {url: \"${DATABASE_URL}\"}"))
        #expect(withURL.postgres?.url == databaseURL)
    }

    @Test func propertiesKeepScalarsAsStrings() throws {
        let config = try load("""
            kafka:
              bootstrap_servers: "localhost:9092"
              group_id: app
              properties:
                security.protocol: SASL_SSL
                sasl.password: "${KAFKA_PASSWORD}"
                session.timeout.ms: 10000
                enable.idempotence: true
            http: {port: 0}
            pipelines:
              - {name: copy, source: {topics: [input]}, sink: {kafka: {topic: output}}}
            """, environment: ["KAFKA_PASSWORD": "hunter2"])
        #expect(config.http.port == 0)
        #expect(config.kafka.properties == [
            "security.protocol": "SASL_SSL", "sasl.password": "hunter2",
            "session.timeout.ms": "10000", "enable.idempotence": "true",
        ])
    }

    @Test func everyExpressionIsCheckedInFileOrderWithItsKind() throws {
        var seen: [String] = []
        _ = try ConfigLoader.load(text: exampleConfig, file: "pipeline.yaml", environment: ["DATABASE_URL": databaseURL]) { expression, kind in
            seen.append("\(kind) \(expression.field) \(expression.text)")
            return nil
        }
        #expect(seen == [
            "filter pipelines[0].steps[0].filter value > 10 && page != '/health'",
            "mapValue pipelines[0].steps[1].map.user user",
            "mapValue pipelines[0].steps[1].map.page page",
            "mapValue pipelines[0].steps[1].map.value2 value * 2",
            "mapValue pipelines[0].steps[1].map.ts ts",
            "sinkKey pipelines[0].sink.kafka.key user",
            "windowKey pipelines[1].steps[0].window.key[0] page",
            "aggregate pipelines[1].steps[0].window.aggregate.views count()",
            "aggregate pipelines[1].steps[0].window.aggregate.total sum(value)",
            "aggregate pipelines[1].steps[0].window.aggregate.top max(value)",
        ])
    }

    @Test func errorDescriptionIsOneLineWithFileLineAndField() {
        #expect(ConfigError(file: "pipeline.yaml", line: 14, column: 17, field: "pipelines[0].source.format",
                            message: "unknown value 'xml' (expected json, text or bytes)").description
                == "pipeline.yaml:14:17: pipelines[0].source.format: unknown value 'xml' (expected json, text or bytes)")
        #expect(ConfigError(file: "p.yaml", line: 3, message: "a\nb").description == "p.yaml:3: a b")
        #expect(ConfigError(file: "p.yaml", message: "the config is empty").description == "p.yaml: the config is empty")
    }

    @Test func formatErrorMatchesTheDocumentedLine() {
        let text = minimal().replacingOccurrences(of: "source: {topics: [input]}", with: "source: {topics: [input], format: xml}")
        #expect {
            try load(text)
        } throws: { error in
            (error as? ConfigError)?.description
                == "pipeline.yaml:5:39: pipelines[0].source.format: unknown value 'xml' (expected json, text or bytes)"
        }
    }
}

@Suite struct InterpolationTests {
    static let environment = ["HOST": "db", "EMPTY": "", "SECRET": "p${HOST}q", "PORT": "5432"]

    @Test(arguments: [
        ("plain", "plain"),
        ("${HOST}", "db"),
        ("${HOST}:${PORT}", "db:5432"),
        ("postgres://${HOST}/app", "postgres://db/app"),
        ("${MISSING}", ""),
        ("[${MISSING}]", "[]"),
        ("${MISSING:-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${HOST:-fallback}", "db"),
        ("${MISSING:-}", ""),
        ("${MISSING:-a:b c-d ${x}", "a:b c-d ${x"),
        ("$${HOST}", "${HOST}"),
        ("cost: $5 and $HOST", "cost: $5 and $HOST"),
        ("$", "$"),
        ("${SECRET}", "p${HOST}q"),
        ("${_UNDER_1}", ""),
    ])
    func expands(input: String, expected: String) throws {
        #expect(try EnvironmentInterpolation.expand(input, environment: Self.environment) == expected)
    }

    @Test(arguments: ["${", "x ${", "${1X}", "${}", "${HOST", "${HOST-default}", "${HOST:default}", "${A B}", "${:-x}"])
    func rejectsMalformedReferences(input: String) {
        #expect(throws: EnvironmentInterpolation.Malformed.self) {
            try EnvironmentInterpolation.expand(input, environment: Self.environment)
        }
    }

    @Test func referencedNamesAreListedForMessages() {
        #expect(EnvironmentInterpolation.referencedNames(in: "postgres://${USER:-app}@${HOST}/$${NOT}") == ["USER", "HOST"])
    }

    @Test func appliesToEveryKindOfScalar() throws {
        let config = try ConfigLoader.load(text: """
            kafka: {bootstrap_servers: "${BROKERS}", group_id: "${GROUP:-app}"}
            http: {port: "${PORT:-9464}"}
            pipelines:
              - name: copy
                source: {topics: ["${INPUT}"], format: "${FORMAT:-json}"}
                steps:
                  - filter: "value > ${THRESHOLD:-10}"
                  - window: {kind: tumbling, size: "${SIZE:-1m}", aggregate: {n: "count()"}}
                sink: {kafka: {topic: out}}
            """, file: "p.yaml", environment: ["BROKERS": "b:9092", "PORT": "8080", "INPUT": "clicks", "SIZE": "5s"])
        #expect(config.kafka.bootstrapServers == "b:9092")
        #expect(config.kafka.groupID == "app")
        #expect(config.http.port == 8080)
        #expect(config.pipelines[0].source.topics == ["clicks"])
        #expect(config.pipelines[0].steps.first == .filter(ExpressionText(
            text: "value > 10", line: 7, column: 17, field: "pipelines[0].steps[0].filter")))
        if case .window(let window) = config.pipelines[0].steps.last {
            #expect(window.size == .seconds(5))
        } else {
            Issue.record("expected a window")
        }
        // `$${` is the way to write `${`, which is then validated like any topic name.
        #expect(throws: ConfigError.self) {
            try ConfigLoader.load(text: "kafka: {bootstrap_servers: embedded, group_id: a}\npipelines: [{name: a, source: {topics: [a]}, sink: {kafka: {topic: \"$${x}\"}}}]",
                                  file: "p.yaml", environment: [:])
        }
    }
}

@Suite struct DurationTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)), ("2s", .seconds(2)), ("1m", .seconds(60)),
        ("1h", .seconds(3600)), ("1d", .seconds(86_400)), ("7d", .seconds(7 * 86_400)),
        ("0s", .zero), ("0ms", .zero), ("90s", .seconds(90)), ("604800000ms", .seconds(604_800)),
    ])
    func parses(text: String, expected: Duration) throws {
        #expect(try ConfigDuration.parse(text, allowZero: true) == expected)
    }

    @Test(arguments: [
        ("5", "needs a unit: ms, s, m, h or d"),
        ("0", "needs a unit"),
        ("-1s", "must not be negative"),
        ("soon", "is not a duration"),
        ("1.5s", "is not a duration"),
        ("2 s", "is not a duration"),
        ("1w", "is not a duration"),
        ("ms", "is not a duration"),
        ("", "is not a duration"),
        ("8d", "too long (at most 7d)"),
        ("169h", "too long"),
        ("99999999999999999999d", "too long"),
        ("9223372036854775807d", "too long"),
    ])
    func rejects(text: String, fragment: String) {
        do {
            _ = try ConfigDuration.parse(text, allowZero: true)
            Issue.record("'\(text)' parsed")
        } catch {
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test func zeroOnlyWhereAllowed() {
        #expect(throws: ConfigDuration.Invalid.self) { try ConfigDuration.parse("0s", allowZero: false) }
        #expect(ConfigDuration.format(.seconds(60)) == "1m")
        #expect(ConfigDuration.format(.milliseconds(1500)) == "1500ms")
        #expect(ConfigDuration.format(.zero) == "0ms")
    }
}

@Suite struct RedactionTests {
    @Test(arguments: [
        ("postgres://user:secret@127.0.0.1:5432/db", "postgres://user:***@127.0.0.1:5432/db"),
        ("postgresql://app:p%40ss@db/app?sslmode=require", "postgresql://app:***@db/app?sslmode=require"),
        ("postgres://user:p@ss@host/db", "postgres://user:***@host/db"),
        ("postgres://user@host/db", "postgres://user@host/db"),
        ("postgres://host:5432/db", "postgres://host:5432/db"),
        ("postgres://user:@host/db", "postgres://user:@host/db"),
        ("postgres://host/db?user=a&password=s3cret&sslmode=disable", "postgres://host/db?user=a&password=***&sslmode=disable"),
        ("host=db user=app password=s3cret dbname=app", "host=db user=app password=*** dbname=app"),
        ("host=db password = 'it\\'s secret' dbname=app", "host=db password = *** dbname=app"),
        ("embedded", "embedded"),
    ])
    func redactsURLs(url: String, expected: String) {
        #expect(Redaction.redact(url: url) == expected)
    }

    @Test func redactsSecretProperties() {
        let redacted = Redaction.redactProperties([
            "security.protocol": "SASL_SSL", "sasl.username": "app", "sasl.password": "hunter2",
            "ssl.key.password": "k", "ssl.key.pem": "-----BEGIN", "sasl.oauthbearer.config": "token=abc",
            "sasl.oauthbearer.client.secret": "s", "SSL.Keystore.Password": "x",
        ])
        #expect(redacted == [
            "security.protocol": "SASL_SSL", "sasl.username": "app", "sasl.password": "***",
            "ssl.key.password": "***", "ssl.key.pem": "***", "sasl.oauthbearer.config": "***",
            "sasl.oauthbearer.client.secret": "***", "SSL.Keystore.Password": "***",
        ])
    }
}
