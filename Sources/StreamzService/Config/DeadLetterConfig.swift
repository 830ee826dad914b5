/// Where records that cannot be processed go, with headers naming the error.
public struct DeadLetterConfig: Sendable, Equatable {
    public var topic: String

    public init(topic: String) {
        self.topic = topic
    }
}

extension DeadLetterConfig {
    static let yamlKeys = ["topic"]

    init(from node: ConfigNode, sourceTopics: [String]) throws(ConfigError) {
        let deadLetter = try node.mapping(allowedKeys: Self.yamlKeys)
        let topicNode = try deadLetter.required("topic")
        let topic = try topicNode.topicName()
        // A dead letter read back by the same pipeline would fail again, forever.
        guard !sourceTopics.contains(topic) else {
            throw topicNode.error("dead-letter topic '\(topic)' is also a source topic of this pipeline")
        }
        self.init(topic: topic)
    }
}
