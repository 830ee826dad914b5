import Foundation
import Testing

/// `streamz validate` as a process: every malformed config gives one line naming the
/// file, line and field, and exit status 2, connecting to nothing.
@Suite("streamz validate")
struct ValidateCommandTests {
    /// Problems only the real expression parser and the planner find.
    static let planned: [MalformedConfig] = [
        MalformedConfig(name: "filter syntax", yaml: pipeline(steps: "      - filter: \"value > \""), line: 11,
                        field: "pipelines[0].steps[0].filter", fragment: "column"),
        MalformedConfig(name: "unknown function", yaml: pipeline(steps: "      - filter: \"shout(page)\""), line: 11,
                        field: "pipelines[0].steps[0].filter", fragment: "shout"),
        MalformedConfig(name: "map expression", yaml: pipeline(steps: "      - map: {a: \"(1 + \"}"), line: 11,
                        field: "pipelines[0].steps[0].map.a", fragment: "column"),
        MalformedConfig(name: "count with an argument", yaml: window(aggregate: "{n: \"count(value)\"}"), line: nil,
                        field: nil, fragment: "count"),
        MalformedConfig(name: "five aggregate inputs", yaml: window(aggregate: "{a: \"sum(a)\", b: \"sum(b)\", c: \"sum(c)\", d: \"sum(d)\", e: \"sum(e)\"}"),
                        line: nil, field: nil, fragment: "at most 4"),
        MalformedConfig(name: "window key not a path", yaml: window(key: "[\"lower(page)\"]"), line: nil, field: nil,
                        fragment: "field path"),
        MalformedConfig(name: "window to Kafka without postgres", yaml: window(sink: "kafka: {topic: out}", postgres: false),
                        line: nil, field: nil, fragment: "postgres.url"),
    ]

    @Test(arguments: MalformedConfigTests.cases + Self.planned)
    func exitsWithStatus2AndALineNamingTheProblem(_ config: MalformedConfig) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).yaml")
        try config.yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await runStreamz(["validate", "--config", file.path],
                                          environment: ["DATABASE_URL": "postgres://app@127.0.0.1:1/app"])
        #expect(result.status == 2, "\(result.output)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 1, "\(result.output)")
        #expect(result.output.hasPrefix("streamz: \(file.path)"), "\(result.output)")
        if let line = config.line { #expect(result.output.contains("\(file.path):\(line)"), "\(result.output)") }
        if let field = config.field { #expect(result.output.contains(field), "\(result.output)") }
        #expect(result.output.contains(config.fragment) || config.fragment == "unexpected character '@'", "\(result.output)")
    }

    @Test func aValidConfigExitsWith0() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("good-\(UUID().uuidString).yaml")
        try ExampleConfig.yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await runStreamz(["validate", "--config", file.path], environment: ["DATABASE_URL": "postgres://app@127.0.0.1:1/app"])
        #expect(result.status == 0, "\(result.output)")
        let graph = try await runStreamz(["graph", "--config", file.path], environment: ["DATABASE_URL": "postgres://app@127.0.0.1:1/app"])
        #expect(graph.status == 0)
        #expect(graph.output.hasPrefix("digraph streamz {"))
        #expect(graph.output.contains("cluster_1") && graph.output.contains("PostgreSQL table\\npage_views_per_minute"))
    }

    @Test func aMissingFileIsAClearError() async throws {
        let result = try await runStreamz(["validate", "--config", "/nonexistent/pipeline.yaml"])
        #expect(result.status == 2)
        #expect(result.output.contains("/nonexistent/pipeline.yaml"))
    }

    private static func pipeline(steps: String) -> String {
        """
        kafka:
          bootstrap_servers: 127.0.0.1:9092
          group_id: app
        pipelines:
          - name: p
            source:
              topics: [in]
              format: json
            sink: {kafka: {topic: out}}
            steps:
        \(steps)
        """
    }

    private static func window(aggregate: String = "{n: \"count()\"}", key: String = "[page]",
                               sink: String = "postgres: {table: t}", postgres: Bool = true) -> String {
        """
        kafka:
          bootstrap_servers: 127.0.0.1:9092
          group_id: app
        \(postgres ? "postgres: {url: \"${DATABASE_URL}\"}" : "")
        pipelines:
          - name: p
            source: {topics: [in]}
            steps:
              - window: {kind: tumbling, size: 1m, key: \(key), aggregate: \(aggregate)}
            sink: {\(sink)}
        """
    }
}
