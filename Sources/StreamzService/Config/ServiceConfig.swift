/// A service configuration (`streamz run --config pipeline.yaml`), loaded and checked
/// by `ConfigLoader` before anything connects.
public struct ServiceConfig: Sendable, Equatable {
    public var kafka: KafkaSection
    /// nil when the file has no postgres section, or its url is empty once the
    /// environment is filled in: `${DATABASE_URL}` with the variable unset means "no database".
    public var postgres: PostgresSection?
    public var http: HTTPSection
    public var pipelines: [PipelineConfig]
    /// The path the config was loaded from, for messages.
    public var file: String

    public init(kafka: KafkaSection, postgres: PostgresSection? = nil, http: HTTPSection = HTTPSection(),
                pipelines: [PipelineConfig], file: String) {
        self.kafka = kafka
        self.postgres = postgres
        self.http = http
        self.pipelines = pipelines
        self.file = file
    }

    /// "embedded" starts librdkafka's mock cluster in-process instead of connecting anywhere.
    public var usesEmbeddedKafka: Bool { kafka.bootstrapServers == "embedded" }
}

extension ServiceConfig {
    static let yamlKeys = ["kafka", "postgres", "http", "pipelines"]

    init(from root: ConfigNode, file: String) throws(ConfigError) {
        guard case .mapping = root.node else {
            throw root.error("expected a mapping with kafka, pipelines and optionally postgres and http at the top level, got \(root.kindDescription)")
        }
        let top = try root.mapping(allowedKeys: Self.yamlKeys)
        let kafka = try KafkaSection(from: top.required("kafka"))
        // Decoded before the pipelines, whatever the order in the file: postgres sinks check it.
        let database = try DatabaseAvailability(from: top.value("postgres"))
        let http = try top.value("http").map { node throws(ConfigError) in try HTTPSection(from: node) } ?? HTTPSection()

        let pipelinesNode = try top.required("pipelines")
        let entries = try pipelinesNode.list()
        guard !entries.isEmpty else { throw pipelinesNode.error("needs at least one pipeline") }
        var pipelines: [PipelineConfig] = []
        var nameLines: [String: Int] = [:]
        for entry in entries {
            let pipeline = try PipelineConfig(from: entry, earlierNames: nameLines, database: database)
            nameLines[pipeline.name] = pipeline.line
            pipelines.append(pipeline)
        }
        self.init(kafka: kafka, postgres: database.section, http: http, pipelines: pipelines, file: file)
    }
}
