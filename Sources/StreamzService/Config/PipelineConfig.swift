/// One Kafka-to-sink flow: its own consumer group, operators and sink.
public struct PipelineConfig: Sendable, Equatable {
    /// [A-Za-z0-9_-]+: it becomes a consumer group suffix and a metric label.
    public var name: String
    public var source: SourceConfig
    public var steps: [StepConfig]
    public var sink: SinkConfig
    public var deadLetter: DeadLetterConfig?
    /// The line of the pipeline's entry in the file, for messages at run time.
    public var line: Int

    public init(name: String, source: SourceConfig, steps: [StepConfig] = [], sink: SinkConfig,
                deadLetter: DeadLetterConfig? = nil, line: Int = 0) {
        self.name = name
        self.source = source
        self.steps = steps
        self.sink = sink
        self.deadLetter = deadLetter
        self.line = line
    }

    /// The window step, which the checks allow only last.
    var trailingWindow: WindowStepConfig? {
        if case .window(let window)? = steps.last { return window }
        return nil
    }
}

extension PipelineConfig {
    static let yamlKeys = ["name", "source", "steps", "sink", "dead_letter"]

    /// - Parameter earlierNames: the names of the pipelines above, with their lines.
    init(from node: ConfigNode, earlierNames: [String: Int], database: DatabaseAvailability) throws(ConfigError) {
        let entry = try node.mapping(allowedKeys: Self.yamlKeys)
        let nameNode = try entry.required("name")
        let name = try nameNode.string()
        guard ConfigNames.isPipelineName(name) else {
            throw nameNode.error("pipeline name '\(name)' may only contain letters, digits, '_' and '-' (it becomes a consumer group suffix and a metric label)")
        }
        if let line = earlierNames[name] {
            throw nameNode.error("duplicate pipeline name '\(name)' (first used at line \(line))")
        }

        let source = try SourceConfig(from: entry.required("source"))
        let stepNodes = try entry.value("steps")?.list() ?? []
        var steps: [StepConfig] = []
        for stepNode in stepNodes {
            steps.append(try StepConfig(from: stepNode))
        }
        try Self.checkWindowPlacement(steps, nodes: stepNodes)

        var pipeline = PipelineConfig(
            name: name, source: source, steps: steps, sink: .postgres(table: ""), line: node.line ?? 0)
        pipeline.sink = try SinkConfig(from: entry.required("sink"), pipeline: pipeline, database: database)
        if let deadLetterNode = entry.value("dead_letter") {
            pipeline.deadLetter = try DeadLetterConfig(from: deadLetterNode, sourceTopics: source.topics)
        }
        self = pipeline
    }

    /// A window turns records into window results, so anything after it would see a
    /// different kind of element; and one window per pipeline keeps checkpoints simple.
    private static func checkWindowPlacement(_ steps: [StepConfig], nodes: [ConfigNode]) throws(ConfigError) {
        let windowIndices = steps.indices.filter { if case .window = steps[$0] { true } else { false } }
        if windowIndices.count > 1 {
            let first = nodes[windowIndices[0]]
            throw nodes[windowIndices[1]].error(
                "a pipeline has at most one window step (the first is at line \(first.line ?? 0))")
        }
        if let index = windowIndices.first, index != steps.count - 1 {
            throw nodes[index].error("the window step must be the last step (put filter and map steps before it)")
        }
    }
}
