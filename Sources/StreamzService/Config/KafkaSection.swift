import Foundation
import StreamzKafka

/// How the service reaches Kafka. One consumer group per pipeline: `groupID` plus the pipeline name.
public struct KafkaSection: Sendable, Equatable {
    /// "host:port,…", or "embedded" for the in-process broker.
    public var bootstrapServers: String
    public var groupID: String
    /// Passed to librdkafka unchanged (security.protocol, sasl.*, …).
    public var properties: [String: String]

    public init(bootstrapServers: String, groupID: String, properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
        self.properties = properties
    }
}

extension KafkaSection {
    static let yamlKeys = ["bootstrap_servers", "group_id", "properties"]

    /// The service sets these itself: a user value would break consumer groups per
    /// pipeline or commit-on-acknowledge.
    static let reservedProperties: [String: String] = [
        "group.id": "kafka.group_id",
        "bootstrap.servers": "kafka.bootstrap_servers",
        "enable.auto.commit": "offsets are committed only after the sinks acknowledge",
    ]

    init(from node: ConfigNode) throws(ConfigError) {
        let section = try node.mapping(allowedKeys: Self.yamlKeys)
        let serversNode = try section.required("bootstrap_servers")
        let servers = try serversNode.string().trimmingCharacters(in: .whitespaces)
        guard !servers.isEmpty else {
            throw serversNode.error("is empty (expected host:port[,host:port…] or embedded)")
        }
        let groupNode = try section.required("group_id")
        let groupID = try groupNode.string()
        guard !groupID.trimmingCharacters(in: .whitespaces).isEmpty else { throw groupNode.error("must not be empty") }

        var properties: [String: String] = [:]
        if let propertiesNode = section.value("properties") {
            for entry in try propertiesNode.mapping(allowedKeys: nil).entries {
                if let owner = Self.reservedProperties[entry.key] {
                    throw entry.keyNode.error("'\(entry.key)' is set by the service (\(owner))")
                }
                guard case .scalar = entry.value.node, !entry.value.isNull else {
                    throw entry.value.error("expected a scalar value for a librdkafka property, got \(entry.value.kindDescription)")
                }
                let value = try entry.value.string()
                switch RDKafkaLibrary.problem(setting: entry.key, to: value) {
                case nil: break
                case .unknownName:
                    throw entry.keyNode.error("'\(entry.key)' is not a property of librdkafka \(RDKafkaLibrary.version)")
                case .invalidValue(let message):
                    throw entry.value.error("librdkafka refuses it: \(message)")
                }
                properties[entry.key] = value
            }
        }
        self.init(bootstrapServers: servers, groupID: groupID, properties: properties)
    }
}
